// What the HTTP load benches share: autocannon, a process's CPU time, the
// statistics they print, and starting one of a script's roles as a child
// process (each target in its own process, so its CPU is its own).
import { fork, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

export interface AutocannonResult { requests: { average: number, total: number }, latency: { p50: number, p99: number }, non2xx: number, errors: number, timeouts: number }
export type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

/** User + system CPU seconds of a process so far, or undefined where /proc is not there. */
export async function cpuSeconds (pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // clock ticks; 100 per second on Linux
  } catch {
    return undefined
  }
}

export const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]! }
/** The middle value; for an even count, the mean of the two middle ones. */
export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2 }
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** Forks `script` with `--role=<role>`; resolves with the URL the child reports once it listens. */
export function spawnRole (script: string, role: string, extra: string[] = [], execArgv: string[] = []): Promise<{ child: ChildProcess, url: string }> {
  const child = fork(script, [`--role=${role}`, ...extra], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return childUrl(child, role).then((url) => ({ child, url }))
}

/** The URL a child process sends over IPC once it listens; rejects if it exits first or takes longer than `timeoutMs`. */
export function childUrl (child: ChildProcess, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${what} did not start`)) }, timeoutMs)
    child.once('message', (m) => { clearTimeout(timer); resolve((m as { url: string }).url) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${String(code)}`)) })
  })
}

/** Asks each child to stop and waits until it has exited. */
export async function stopChildren (children: ChildProcess[]): Promise<void> {
  for (const c of children) if (c.exitCode === null) c.send('stop')
  await Promise.all(children.map((c) => new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else c.once('exit', resolve) })))
}
