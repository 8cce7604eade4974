// Talking to the systemd user manager. It is only used when it can work: a
// `systemctl` binary and a user bus. OPENCLAW_SYSTEMCTL names a replacement
// binary (tests, wrappers) and is trusted as is; no bus check for it.
import { execFile } from 'node:child_process'
import { access, constants, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Env } from '../config/paths.js'

export interface SystemctlResult { code: number, stdout: string, stderr: string }

export type Systemctl =
  | { available: true, binary: string, run: (args: string[]) => Promise<SystemctlResult> }
  | { available: false, reason: string }

export async function findSystemctl (env: Env, platform: NodeJS.Platform = process.platform): Promise<Systemctl> {
  const override = env.OPENCLAW_SYSTEMCTL
  if (override !== undefined && override !== '') {
    if (!await isExecutable(override)) return { available: false, reason: `OPENCLAW_SYSTEMCTL=${override} is not an executable file` }
    return usable(override, env)
  }
  if (platform !== 'linux') return { available: false, reason: `systemd services are Linux-only (this is ${platform})` }
  const binary = await onPath('systemctl', env.PATH)
  if (binary === undefined) return { available: false, reason: 'systemctl is not installed' }
  if (!await hasUserBus(env)) return { available: false, reason: 'no systemd user session (no user bus at $XDG_RUNTIME_DIR/bus)' }
  return usable(binary, env)
}

/** The commands, as an operator would type them. */
export function userCommand (args: string[]): string {
  return ['systemctl', '--user', ...args].join(' ')
}

function usable (binary: string, env: Env): Systemctl {
  return {
    available: true,
    binary,
    run: (args) => new Promise((resolve) => {
      execFile(binary, ['--user', ...args], { env: env as NodeJS.ProcessEnv, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      })
    })
  }
}

async function hasUserBus (env: Env): Promise<boolean> {
  if (env.DBUS_SESSION_BUS_ADDRESS !== undefined && env.DBUS_SESSION_BUS_ADDRESS !== '') return true
  const runtime = env.XDG_RUNTIME_DIR
  if (runtime === undefined || runtime === '') return false
  const st = await stat(path.join(runtime, 'bus')).catch(() => undefined)
  return st?.isSocket() === true
}

async function onPath (name: string, pathVar: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, name)
    if (await isExecutable(candidate)) return candidate
  }
  return undefined
}

async function isExecutable (file: string): Promise<boolean> {
  try {
    const st = await stat(file)
    if (!st.isFile()) return false
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
