// `--force`: find whoever listens on the port and stop it (SIGTERM, then
// SIGKILL after a grace period). Linux reads /proc; elsewhere it asks lsof.
import { execFile } from 'node:child_process'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { pidAlive } from './config/state.js'

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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
