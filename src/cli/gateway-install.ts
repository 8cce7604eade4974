// `openclaw gateway install`: writes the systemd user unit (contract 7.3) and,
// when a user manager is reachable, `daemon-reload` + `enable --now`. Without
// one it prints the exact commands and exits 0. An existing unit with the same
// definition is left alone; a different one needs --force.
import { readFile } from 'node:fs/promises'
import type { Argv, CommandModule } from 'yargs'
import { cliEntry } from '../package-info.js'
import { desiredUnit, sameDefinition, writeUnitFile } from '../service/gateway-service.js'
import { findSystemctl, userCommand } from '../service/systemctl.js'
import { parseUnit, unitName, unitPath } from '../service/systemd-unit.js'
import { localListen } from './common/connection.js'
import { loadContext, type CliContext, type GlobalArgs } from './common/context.js'
import { CliError, err, out, printJson, runCommand } from './common/output.js'

interface InstallArgs extends GlobalArgs {
  port?: number
  force?: boolean
  json?: boolean
}

interface Ran { command: string, code: number, output: string }

async function install (args: InstallArgs): Promise<number> {
  const ctx = await loadContext(args)
  if (process.platform !== 'linux' && (ctx.env.OPENCLAW_SYSTEMCTL ?? '') === '') {
    throw new CliError(`gateway install writes a systemd user unit and supports Linux only (this is ${process.platform})`, {
      hint: 'run `openclaw gateway` under your platform\'s supervisor instead'
    })
  }
  const port = args.port ?? localListen(ctx, undefined).port
  const entry = cliEntry()
  const file = unitPath(ctx.paths.home, ctx.paths.profile)
  const unit = unitName(ctx.paths.profile)
  const text = desiredUnit(ctx, { node: process.execPath, entry, port, version: ctx.version })
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  const unchanged = existing !== undefined && sameDefinition(existing, text)
  if (existing !== undefined && !unchanged && args.force !== true) {
    const before = parseUnit(existing).port
    const change = before !== undefined && before !== port ? ` (port ${before} → ${port})` : ''
    throw new CliError(`a different ${unit} is already installed at ${file}${change}`, { hint: 're-run with --force to replace it' })
  }
  if (!unchanged) await writeUnitFile(file, text)

  const commands = [['daemon-reload'], ['enable', '--now', unit], ...(existing !== undefined && !unchanged ? [['restart', unit]] : [])]
  const systemctl = await findSystemctl(ctx.env)
  const ran: Ran[] = []
  let failed: Ran | undefined
  if (systemctl.available) {
    for (const c of commands) {
      const res = await systemctl.run(c)
      const r = { command: userCommand(c), code: res.code, output: (res.stderr || res.stdout).trim() }
      ran.push(r)
      if (res.code !== 0) { failed = r; break }
    }
  }
  const manual = commands.map(userCommand)
  const warnings = configWarnings(ctx)
  if (args.json === true) {
    printJson({
      ok: failed === undefined,
      unit,
      unitPath: file,
      port,
      written: !unchanged,
      replaced: existing !== undefined && !unchanged,
      systemctl: systemctl.available ? { available: true, ran } : { available: false, reason: systemctl.reason },
      commands: manual,
      warnings
    })
    return failed === undefined ? 0 : 1
  }
  out(unchanged ? `Service already installed (unchanged): ${file}` : `${existing === undefined ? 'Installed' : 'Replaced'} systemd user unit: ${file}`)
  out(`ExecStart: ${process.execPath} ${entry} gateway --port ${port}`)
  for (const w of warnings) out(`Warning: ${w}`)
  for (const r of ran) out(`Ran: ${r.command}${r.code === 0 ? '' : ` (exit ${r.code})`}`)
  if (failed !== undefined) {
    if (failed.output !== '') err(failed.output)
    err(`systemctl failed; finish by hand:\n${manual.map((c) => `  ${c}`).join('\n')}`)
    return 1
  }
  if (!systemctl.available) {
    out(`Note: not started: ${systemctl.reason}. Run:`)
    for (const c of manual) out(`  ${c}`)
  } else {
    out(`Service ${unit} is enabled and started. Check it with \`openclaw gateway status\`.`)
  }
  out(`For persistence after logout: sudo loginctl enable-linger ${ctx.env.USER ?? '<user>'}`)
  return 0
}

/** A unit that would start into exit 78 is worth saying so now. */
function configWarnings (ctx: CliContext): string[] {
  if (ctx.configError !== undefined) return [`the config does not load, so the service would not start: ${ctx.configError.message}`]
  if (ctx.snapshot?.exists === false) return [`no config at ${ctx.paths.configPath}; the service will not start until you run \`openclaw setup\``]
  if (ctx.config.gateway?.mode !== 'local') return [`gateway.mode is not "local" in ${ctx.paths.configPath}; the service will not start until it is`]
  return []
}

export const gatewayInstallCommand: CommandModule<object, InstallArgs> = {
  command: 'install',
  describe: 'Install the gateway as a systemd user service',
  builder: (y: Argv) => y
    .option('port', { type: 'number', description: 'Port for the service (default: as `openclaw gateway` resolves it)' })
    .option('force', { type: 'boolean', description: 'Replace an installed unit with a different definition' })
    .option('json', { type: 'boolean', description: 'Machine-readable output' }) as Argv<InstallArgs>,
  handler: runCommand(install)
}
