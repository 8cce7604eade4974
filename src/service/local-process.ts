// The unsupervised gateway: found through the state-dir lock file
// (<stateDir>/gateway.lock: {pid, port, startedAt}), stopped with SIGTERM, and
// on Linux re-launched with the exact argv, cwd and environment it had.
import { spawn } from 'node:child_process'
import { open, readFile, readlink } from 'node:fs/promises'
import path from 'node:path'
import { pidAlive } from '../config/state.js'

export interface GatewayLock {
  file: string
  pid: number | undefined
  port: number | undefined
  startedAt: number | undefined
  /** The pid is a live process (not necessarily still a gateway: see looksLikeGateway). */
  alive: boolean
}

export function lockFile (stateDir: string): string {
  return path.join(stateDir, 'gateway.lock')
}

/** Undefined when there is no lock file (no gateway started from this state dir is running). */
export async function readGatewayLock (stateDir: string): Promise<GatewayLock | undefined> {
  const file = lockFile(stateDir)
  let text: string
  try { text = await readFile(file, 'utf8') } catch { return undefined }
  let parsed: { pid?: unknown, port?: unknown, startedAt?: unknown } = {}
  try { parsed = JSON.parse(text) as typeof parsed } catch { /* a torn write: report what we can */ }
  const pid = typeof parsed.pid === 'number' ? parsed.pid : undefined
  return {
    file,
    pid,
    port: typeof parsed.port === 'number' ? parsed.port : undefined,
    startedAt: typeof parsed.startedAt === 'number' ? parsed.startedAt : undefined,
    alive: pid !== undefined && await isRunning(pid)
  }
}

/** Alive and not a zombie. */
export async function isRunning (pid: number): Promise<boolean> {
  if (!pidAlive(pid)) return false
  if (process.platform !== 'linux') return true
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return false
  // Field 3 (after the parenthesised command name) is the state; Z = zombie, X = dead.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  return state !== 'Z' && state !== 'X'
}

export interface Invocation { argv: string[], cwd: string, env: Record<string, string> }

/** Linux only: how a process was started, to start it again the same way. */
export async function readInvocation (pid: number): Promise<Invocation | undefined> {
  if (process.platform !== 'linux') return undefined
  try {
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readFile(`/proc/${pid}/environ`, 'utf8')
    ])
    const cwd = await readlink(`/proc/${pid}/cwd`)
    const argv = cmdline.split('\0').filter((a, i, all) => !(a === '' && i === all.length - 1))
    const env: Record<string, string> = {}
    for (const entry of environ.split('\0')) {
      const eq = entry.indexOf('=')
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
    return { argv, cwd, env }
  } catch {
    return undefined
  }
}

/**
 * Guards against a recycled pid: on Linux the process must be running a
 * `gateway` command; elsewhere we cannot tell and trust the lock file.
 */
export async function looksLikeGateway (pid: number): Promise<boolean> {
  if (process.platform !== 'linux') return true
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined)
  if (cmdline === undefined) return false
  const args = cmdline.split('\0')
  return args.includes('gateway') && !args.slice(args.indexOf('gateway') + 1).some((a) => ['status', 'stop', 'restart', 'install', 'call', 'health'].includes(a))
}

/** SIGTERM, then wait for the exit. True when it exited within `timeoutMs`. */
export async function terminate (pid: number, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true
    throw e
  }
  return await waitForExit(pid, timeoutMs)
}

export async function waitForExit (pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!await isRunning(pid)) return true
    await sleep(100)
  }
  return !await isRunning(pid)
}

/** Starts `inv` in its own session, output appended to `outFile`; returns the new pid. */
export async function startDetached (inv: Invocation, outFile: string): Promise<number> {
  const [command, ...args] = inv.argv
  if (command === undefined) throw new Error('empty command line')
  const fh = await open(outFile, 'a', 0o600)
  try {
    const child = spawn(command, args, { cwd: inv.cwd, env: inv.env, detached: true, stdio: ['ignore', fh.fd, fh.fd] })
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('spawn', () => { resolve(child.pid!) })
    })
    child.unref()
    return pid
  } finally {
    await fh.close()
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
