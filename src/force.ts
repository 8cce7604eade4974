// `--force`: stop this state dir's own running gateway (the pid in its lock),
// then whoever else listens on the port (SIGTERM, then SIGKILL after a grace
// period). Linux reads /proc; elsewhere it asks lsof.
import { execFile } from 'node:child_process'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { pidAlive } from './config/state.js'
import { EXIT_CONFIG, EXIT_FAILURE, StartupError } from './errors/index.js'
import { isRunning, looksLikeGateway, readGatewayLock } from './service/local-process.js'

export async function findListeningPids (port: number): Promise<number[]> {
  if (process.platform !== 'linux') return await lsofPids(port)
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // cols: sl local_address rem_address st ... inode (index 9); st 0A = LISTEN
      if (cols.length < 10 || cols[3] !== '0A') continue
      const localPort = parseInt(cols[1]!.split(':')[1] ?? '', 16)
      if (localPort === port) inodes.add(cols[9]!)
    }
  }
  if (inodes.size === 0) return []
  const pids: number[] = []
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[])
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '')
      const m = /^socket:\[(\d+)\]$/.exec(target)
      if (m !== null && inodes.has(m[1]!)) { pids.push(Number(entry)); break }
    }
  }
  return pids
}

function lsofPids (port: number): Promise<number[]> {
  return new Promise((resolve) => {
    execFile('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], (err, stdout) => {
      resolve(err === null ? stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number) : [])
    })
  })
}

export interface ForceResult { pid: number, signal: 'SIGTERM' | 'SIGKILL' }

/** Terminates every other process listening on `port`. */
export async function freePort (port: number, opts: { graceMs?: number, self?: number } = {}): Promise<ForceResult[]> {
  const self = opts.self ?? process.pid
  const pids = (await findListeningPids(port)).filter((p) => p !== self)
  const results: ForceResult[] = []
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM') } catch { continue }
    const deadline = Date.now() + (opts.graceMs ?? 3000)
    while (pidAlive(pid) && Date.now() < deadline) await sleep(50)
    if (pidAlive(pid)) {
      try { process.kill(pid, 'SIGKILL') } catch { /* exited meanwhile */ }
      results.push({ pid, signal: 'SIGKILL' })
    } else {
      results.push({ pid, signal: 'SIGTERM' })
    }
  }
  return results
}

export interface StoppedGateway { pid: number, port: number, signal: 'SIGTERM' | 'SIGKILL' }

/** What stopLockOwner does to processes; injected so unit tests need none. */
export interface ProcessControl {
  /** Alive and not a zombie. */
  isRunning: (pid: number) => Promise<boolean>
  /** The command line is an `openclaw gateway` run (guards against a recycled pid). */
  isGateway: (pid: number) => Promise<boolean>
  listeningPids: (port: number) => Promise<number[]>
  kill: (pid: number, signal: 'SIGTERM' | 'SIGKILL') => void
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export const systemProcesses: ProcessControl = {
  isRunning,
  isGateway: looksLikeGateway,
  listeningPids: findListeningPids,
  kill: (pid, signal) => { process.kill(pid, signal) },
  now: Date.now,
  sleep
}

export interface StopLockOwnerOptions {
  /** SIGTERM → SIGKILL; the gateway's own shutdown grace is 10 s. */
  graceMs?: number
  /** How long the gateway may take to start listening on the lock's port before we call it unverifiable. */
  verifyMs?: number
  self?: number
}

/**
 * `--force` against this state dir's own gateway: when `<stateDir>/gateway.lock`
 * names a live process, and that process is a gateway listening on the lock's
 * port, SIGTERM it, SIGKILL it after `graceMs`, and wait until the port is free.
 * A live lock owner we cannot verify is never signalled: the start is refused.
 */
export async function stopLockOwner (stateDir: string, opts: StopLockOwnerOptions = {}, pc: ProcessControl = systemProcesses): Promise<StoppedGateway | undefined> {
  const lock = await readGatewayLock(stateDir)
  const pid = lock?.pid
  if (lock === undefined || pid === undefined || pid === (opts.self ?? process.pid) || !await pc.isRunning(pid)) return undefined
  const port = lock.port
  if (port === undefined || !await ownsPort(pc, pid, port, opts.verifyMs ?? 5_000)) {
    if (!await pc.isRunning(pid)) return undefined
    throw new StartupError('GATEWAY_LOCKED', `gateway already running (pid ${pid}), but --force cannot verify it is a gateway listening on port ${port ?? '(none in the lock)'}; not signalling it (if the lock is stale, remove ${lock.file})`, EXIT_CONFIG)
  }
  let signal: StoppedGateway['signal'] = 'SIGTERM'
  if (!await signalAndWait(pc, pid, 'SIGTERM', opts.graceMs ?? 10_000)) {
    signal = 'SIGKILL'
    if (!await signalAndWait(pc, pid, 'SIGKILL', 5_000)) {
      throw new StartupError('FORCE_FAILED', `could not stop the running gateway (pid ${pid})`, EXIT_FAILURE)
    }
  }
  // Its listener dies with it; a foreign listener that took the port meanwhile is freePort's job.
  await waitUntil(pc, 5_000, async () => (await pc.listeningPids(port)).length === 0)
  return { pid, port, signal }
}

/** A gateway command line, listening on the lock's port (a gateway still starting gets `verifyMs` to listen). */
async function ownsPort (pc: ProcessControl, pid: number, port: number, verifyMs: number): Promise<boolean> {
  if (!await pc.isGateway(pid)) return false
  const listening = async () => (await pc.listeningPids(port)).includes(pid)
  return await waitUntil(pc, verifyMs, async () => await listening() || !await pc.isRunning(pid)) && await listening()
}

async function signalAndWait (pc: ProcessControl, pid: number, signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number): Promise<boolean> {
  try {
    pc.kill(pid, signal)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ESRCH') throw new StartupError('FORCE_FAILED', `cannot stop the running gateway (pid ${pid}): ${code ?? (err as Error).message}`, EXIT_FAILURE)
  }
  return await waitUntil(pc, timeoutMs, async () => !await pc.isRunning(pid))
}

/** Polls `check` every 50 ms; false when `timeoutMs` passes first. */
async function waitUntil (pc: ProcessControl, timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = pc.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (pc.now() >= deadline) return false
    await pc.sleep(50)
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, ms))
}
