// `openclaw gateway stop`: `systemctl --user stop` when the service runs under
// systemd; otherwise SIGTERM to the pid in <stateDir>/gateway.lock and wait for
// it to exit (the gateway drains and exits 0).
import type { Argv, CommandModule } from 'yargs'
import { inspectService } from '../service/gateway-service.js'
import { findSystemctl } from '../service/systemctl.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { err, out, runCommand } from './common/output.js'
import { assertGatewayPid, runUnitVerb, terminateGateway } from './common/stop-gateway.js'

interface StopArgs extends GlobalArgs {
  timeout: number
}

const SUPERVISED = new Set(['active', 'activating', 'reloading', 'deactivating'])

async function stop (args: StopArgs): Promise<number> {
  const ctx = await loadContext(args)
  const systemctl = await findSystemctl(ctx.env)
  const service = await inspectService(ctx, systemctl)
  if (service.installed && systemctl.available && SUPERVISED.has(service.active ?? '')) {
    await runUnitVerb(systemctl, 'stop', service.unit)
    out(`Stopped ${service.unit} (systemd).`)
    return 0
  }
  const lock = service.lock
  if (lock?.alive !== true || lock.pid === undefined) {
    out(`Gateway is not running (no live gateway pid in ${lock?.file ?? `${ctx.paths.stateDir}/gateway.lock`}).`)
    return 0
  }
  const pid = lock.pid
  await assertGatewayPid(pid, lock.file, `the lock file is stale; remove ${lock.file}`)
  if (service.installed && !systemctl.available) {
    err(`Warning: ${service.unit} is installed but systemd cannot be asked (${service.systemctl.reason ?? 'unavailable'}); if systemd supervises this gateway it will start it again.`)
  }
  await terminateGateway(pid, args.timeout, `check \`openclaw logs\`; \`kill -9 ${pid}\` if it is stuck`)
  out(`Stopped gateway (pid ${pid}).`)
  return 0
}

export const gatewayStopCommand: CommandModule<object, StopArgs> = {
  command: 'stop',
  describe: 'Stop the gateway (systemd service, or the process in the lock file)',
  builder: (y: Argv) => y
    .option('timeout', { type: 'number', default: 20_000, description: 'How long to wait for the exit, in ms' }) as Argv<StopArgs>,
  handler: runCommand(stop)
}
