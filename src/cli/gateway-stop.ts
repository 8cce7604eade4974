// `openclaw gateway stop`: `systemctl --user stop` when the service runs under
// systemd; otherwise SIGTERM to the pid in <stateDir>/gateway.lock and wait for
// it to exit (the gateway drains and exits 0).
import type { Argv, CommandModule } from 'yargs'
import { inspectService } from '../service/gateway-service.js'
import { looksLikeGateway, terminate } from '../service/local-process.js'
import { findSystemctl, userCommand } from '../service/systemctl.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { CliError, err, out, runCommand } from './common/output.js'

interface StopArgs extends GlobalArgs {
  timeout: number
}

const SUPERVISED = new Set(['active', 'activating', 'reloading', 'deactivating'])

async function stop (args: StopArgs): Promise<number> {
  const ctx = await loadContext(args)
  const systemctl = await findSystemctl(ctx.env)
  const service = await inspectService(ctx, systemctl)
  if (service.installed && systemctl.available && SUPERVISED.has(service.active ?? '')) {
    const res = await systemctl.run(['stop', service.unit])
    if (res.code !== 0) throw new CliError(`${userCommand(['stop', service.unit])} failed (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`)
    out(`Stopped ${service.unit} (systemd).`)
    return 0
  }
  const lock = service.lock
  if (lock?.alive !== true || lock.pid === undefined) {
    out(`Gateway is not running (no live gateway pid in ${lock?.file ?? `${ctx.paths.stateDir}/gateway.lock`}).`)
    return 0
  }
  const pid = lock.pid
  if (!await looksLikeGateway(pid)) {
    throw new CliError(`pid ${pid} from ${lock.file} is not a gateway process; not signalling it`, { hint: `the lock file is stale; remove ${lock.file}` })
  }
  if (service.installed && !systemctl.available) {
    err(`Warning: ${service.unit} is installed but systemd cannot be asked (${service.systemctl.reason ?? 'unavailable'}); if systemd supervises this gateway it will start it again.`)
  }
  if (!await terminate(pid, args.timeout)) {
    throw new CliError(`gateway (pid ${pid}) did not exit within ${Math.round(args.timeout / 1000)}s of SIGTERM`, { hint: `check \`openclaw logs\`; \`kill -9 ${pid}\` if it is stuck` })
  }
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
