// The gateway as a service on this host: the systemd user unit (installed?
// active?) and, for gateways started by hand, the state-dir lock file's pid.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Env, GatewayPaths } from '../config/paths.js'
import { readGatewayLock, type GatewayLock } from './local-process.js'
import { findSystemctl, type Systemctl } from './systemctl.js'
import { parseUnit, renderUnit, unitName, unitPath, type ParsedUnit } from './systemd-unit.js'

export interface ServiceHost {
  env: Env
  paths: GatewayPaths
}

export interface ServiceState {
  manager: 'systemd'
  unit: string
  unitPath: string
  installed: boolean
  definition: ParsedUnit | undefined
  systemctl: { available: boolean, reason?: string }
  /** `systemctl --user is-active` (active, inactive, failed, activating…), when it could be asked. */
  active: string | undefined
  enabled: string | undefined
  mainPid: number | undefined
  lock: GatewayLock | undefined
  runtime: 'running' | 'stopped'
  /** Who says it runs: the service manager or the lock file. */
  runtimeSource: 'systemd' | 'lock' | undefined
  pid: number | undefined
}

export async function inspectService (host: ServiceHost, systemctl?: Systemctl): Promise<ServiceState> {
  const sc = systemctl ?? await findSystemctl(host.env)
  const file = unitPath(host.paths.home, host.paths.profile)
  const unit = unitName(host.paths.profile)
  const text = await readFile(file, 'utf8').catch(() => undefined)
  const lock = await readGatewayLock(host.paths.stateDir)
  let active: string | undefined
  let enabled: string | undefined
  let mainPid: number | undefined
  if (text !== undefined && sc.available) {
    const [a, e, show] = await Promise.all([
      sc.run(['is-active', unit]),
      sc.run(['is-enabled', unit]),
      sc.run(['show', '--property=MainPID', '--value', unit])
    ])
    active = a.stdout.trim() || undefined
    enabled = e.stdout.trim() || undefined
    const pid = Number(show.stdout.trim())
    mainPid = Number.isInteger(pid) && pid > 0 ? pid : undefined
  }
  const lockPid = lock?.alive === true ? lock.pid : undefined
  const runtimeSource = active === 'active' ? 'systemd' : lockPid !== undefined ? 'lock' : undefined
  return {
    manager: 'systemd',
    unit,
    unitPath: file,
    installed: text !== undefined,
    definition: text === undefined ? undefined : parseUnit(text),
    systemctl: sc.available ? { available: true } : { available: false, reason: sc.reason },
    active,
    enabled,
    mainPid,
    lock,
    runtime: runtimeSource === undefined ? 'stopped' : 'running',
    runtimeSource,
    pid: runtimeSource === 'systemd' ? (mainPid ?? lockPid) : lockPid
  }
}

export interface UnitInputs {
  node: string
  entry: string
  port: number
  version: string
}

/** The unit this host should have: paths and profile from the environment the CLI runs in. */
export function desiredUnit (host: ServiceHost, inputs: UnitInputs): string {
  const environment: Array<[string, string]> = []
  const set = (k: string) => host.env[k] !== undefined && host.env[k] !== ''
  if (set('OPENCLAW_HOME')) environment.push(['OPENCLAW_HOME', host.paths.home])
  if (set('OPENCLAW_STATE_DIR')) environment.push(['OPENCLAW_STATE_DIR', host.paths.stateDir])
  if (set('OPENCLAW_CONFIG_PATH')) environment.push(['OPENCLAW_CONFIG_PATH', host.paths.configPath])
  if (host.paths.profile !== undefined) environment.push(['OPENCLAW_PROFILE', host.paths.profile])
  return renderUnit({ ...inputs, profile: host.paths.profile, environment })
}

/** Unit text without comments and blank lines: what systemd acts on. */
export function sameDefinition (a: string, b: string): boolean {
  const norm = (t: string) => t.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).join('\n')
  return norm(a) === norm(b)
}

/** Atomic write (temp + rename), mode 0644 like any user unit. */
export async function writeUnitFile (file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, text, { mode: 0o644 })
  await rename(tmp, file)
}
