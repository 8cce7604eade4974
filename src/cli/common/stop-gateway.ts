// What `gateway stop` and `gateway restart` share: a systemd verb whose failure
// is the command's error, and SIGTERM to the lock file's pid, but only to a gateway.
import { looksLikeGateway, terminate } from '../../service/local-process.js'
import { userCommand, type Systemctl } from '../../service/systemctl.js'
import { CliError } from './output.js'

export async function runUnitVerb (systemctl: Extract<Systemctl, { available: true }>, verb: 'stop' | 'restart', unit: string): Promise<void> {
  const res = await systemctl.run([verb, unit])
  if (res.code !== 0) throw new CliError(`${userCommand([verb, unit])} failed (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`)
}

/** A stale lock file may name a pid the OS has since given to another program. */
export async function assertGatewayPid (pid: number, lockFile: string, hint?: string): Promise<void> {
  if (!await looksLikeGateway(pid)) throw new CliError(`pid ${pid} from ${lockFile} is not a gateway process; not signalling it`, { hint })
}

export async function terminateGateway (pid: number, timeoutMs: number, hint?: string): Promise<void> {
  if (!await terminate(pid, timeoutMs)) throw new CliError(`gateway (pid ${pid}) did not exit within ${Math.round(timeoutMs / 1000)}s of SIGTERM`, { hint })
}
