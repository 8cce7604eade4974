// `openclaw gateway restart`. Under systemd: `systemctl --user restart`.
// Unsupervised (Linux): SIGTERM the pid in <stateDir>/gateway.lock, wait for
// it to exit, start the same command line again (argv, cwd and environment read
// from /proc) detached, with its stdout/stderr appended to
// <stateDir>/logs/gateway-stdout.log. Both paths then wait until the gateway
// answers. There is no in-process restart signal (SIGUSR2 is not implemented).
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { GatewayClientError, type ClientErrorCode } from '../errors/client.js'
import { inspectService } from '../service/gateway-service.js'
import { isRunning, readGatewayLock, readInvocation, sleep, startDetached } from '../service/local-process.js'
import { findSystemctl, userCommand } from '../service/systemctl.js'
import { openClient, resolveTarget } from './common/connection.js'
import { loadContext, type CliContext, type GlobalArgs } from './common/context.js'
import { CliError, formatDuration, out, runCommand } from './common/output.js'
import { assertGatewayPid, runUnitVerb, terminateGateway } from './common/stop-gateway.js'

const ANSWERED = new Set<ClientErrorCode>(['UNAUTHORIZED', 'NOT_PAIRED', 'CONNECT_REJECTED'])

interface RestartArgs extends GlobalArgs {
  timeout: number
}

async function restart (args: RestartArgs): Promise<number> {
  const ctx = await loadContext(args)
  const systemctl = await findSystemctl(ctx.env)
  const service = await inspectService(ctx, systemctl)
  const started = Date.now()
  if (service.installed && systemctl.available) {
    await runUnitVerb(systemctl, 'restart', service.unit)
    const url = await waitReachable(ctx, undefined, undefined, args.timeout)
    out(`Restarted ${service.unit} (systemd); answering at ${url} after ${formatDuration(Date.now() - started)}.`)
    return 0
  }
  const lock = service.lock
  if (lock?.alive !== true || lock.pid === undefined) {
    throw new CliError('gateway is not running, so there is nothing to restart', {
      hint: `start it with \`openclaw gateway\`${service.installed ? `, or \`${userCommand(['start', service.unit])}\`` : ' (or `openclaw gateway install` for a service)'}`
    })
  }
  const oldPid = lock.pid
  await assertGatewayPid(oldPid, lock.file)
  const invocation = await readInvocation(oldPid)
  if (invocation === undefined) {
    throw new CliError(`cannot read how pid ${oldPid} was started (restart of an unsupervised gateway needs Linux /proc)`, { hint: 'run `openclaw gateway stop`, then start it again' })
  }
  await terminateGateway(oldPid, args.timeout)
  const outFile = path.join(ctx.paths.stateDir, 'logs', 'gateway-stdout.log')
  await mkdir(path.dirname(outFile), { recursive: true, mode: 0o700 })
  const newPid = await startDetached(invocation, outFile)
  const url = await waitReachable(ctx, newPid, outFile, args.timeout)
  out(`Restarted gateway (pid ${oldPid} → ${newPid}); answering at ${url} after ${formatDuration(Date.now() - started)}.`)
  out(`Its console output goes to ${outFile}.`)
  return 0
}

/**
 * Polls until a connect succeeds. With a pid, the port comes from the lock file
 * the new process writes, and an early exit fails fast with its last output.
 */
async function waitReachable (ctx: CliContext, pid: number | undefined, outFile: string | undefined, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let last = 'not started yet'
  while (Date.now() < deadline) {
    if (pid !== undefined && !await isRunning(pid)) {
      const tail = outFile === undefined ? '' : (await readFile(outFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n')
      throw new CliError(`the restarted gateway (pid ${pid}) exited during start-up${tail === '' ? '' : `:\n${tail}`}`)
    }
    const lock = await readGatewayLock(ctx.paths.stateDir)
    const port = pid !== undefined && lock?.pid === pid ? lock.port : undefined
    if (pid === undefined || port !== undefined) {
      const target = await resolveTarget(ctx, { port })
      try {
        const client = await openClient(ctx, target, { timeoutMs: 2_000 })
        await client.close()
        return target.url
      } catch (e) {
        // Refusing our credentials still proves the new process is up and speaking the protocol.
        if (e instanceof GatewayClientError && ANSWERED.has(e.code)) return target.url
        last = (e as Error).message
      }
    }
    await sleep(200)
  }
  throw new CliError(`the gateway did not answer within ${Math.round(timeoutMs / 1000)}s of the restart (${last})`, { hint: 'check `openclaw logs` and `openclaw gateway status`' })
}

export const gatewayRestartCommand: CommandModule<object, RestartArgs> = {
  command: 'restart',
  describe: 'Restart the gateway (systemd service, or re-exec the process in the lock file)',
  builder: (y: Argv) => y
    .option('timeout', { type: 'number', default: 30_000, description: 'How long to wait for the stop and for the new gateway to answer, in ms' }) as Argv<RestartArgs>,
  handler: runCommand(restart)
}
