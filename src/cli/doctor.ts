// `openclaw doctor [--fix] [--generate-gateway-token]`: client-side checks of
// config, state-dir permissions, port, the running gateway and the installed
// service; a list of ok / warn / fail lines, exit 1 when anything fails.
import type { Argv, CommandModule } from 'yargs'
import { cliEntry } from '../package-info.js'
import { configChecks, gatewayChecks, permissionChecks, serviceChecks, type Check, type DoctorOptions } from './common/doctor-checks.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { out, printJson, runCommand } from './common/output.js'

interface DoctorArgs extends GlobalArgs {
  fix?: boolean
  'generate-gateway-token'?: boolean
  json?: boolean
  timeout: number
}

async function doctor (args: DoctorArgs): Promise<number> {
  const ctx = await loadContext(args)
  const opts: DoctorOptions = {
    fix: args.fix === true,
    generateToken: args['generate-gateway-token'] === true,
    timeoutMs: args.timeout,
    entry: cliEntry()
  }
  const checks: Check[] = [
    ...configChecks(ctx),
    ...await permissionChecks(ctx, opts),
    ...await gatewayChecks(ctx, opts),
    ...await serviceChecks(ctx, opts)
  ]
  const count = (s: Check['status']) => checks.filter((c) => c.status === s).length
  const summary = { ok: count('ok'), warn: count('warn'), fail: count('fail') }
  if (args.json === true) {
    printJson({ ok: summary.fail === 0, configPath: ctx.paths.configPath, stateDir: ctx.paths.stateDir, checks, summary })
  } else {
    out(`OpenClaw doctor — config ${ctx.paths.configPath}, state ${ctx.paths.stateDir}`)
    for (const c of checks) {
      out(`${`[${c.status}]`.padEnd(7)}${c.id}: ${c.message}${c.fixed === true ? ' (fixed)' : ''}`)
      if (c.hint !== undefined && (c.status !== 'ok' || c.fixed === true)) out(`       → ${c.hint}`)
    }
    out(`Summary: ${summary.ok} ok, ${summary.warn} warning${summary.warn === 1 ? '' : 's'}, ${summary.fail} failure${summary.fail === 1 ? '' : 's'}`)
  }
  return summary.fail === 0 ? 0 : 1
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check config, permissions, port, gateway and service; --fix repairs what is safe',
  builder: (y: Argv) => y
    .option('fix', { type: 'boolean', description: 'Tighten permissions and rewrite a drifted service unit' })
    .option('generate-gateway-token', { type: 'boolean', description: 'Create the gateway token file now if no token is configured' })
    .option('json', { type: 'boolean', description: 'Machine-readable output' })
    .option('timeout', { type: 'number', default: 10_000, description: 'Gateway probe timeout in ms' }) as Argv<DoctorArgs>,
  handler: runCommand(doctor)
}
