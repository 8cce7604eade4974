// Runs the shipped CLI (the bundle, `dist/openclaw.mjs gateway …`) as a child process in
// a throw-away home: its own temp dir, state dir, config path, log file and
// TMPDIR, an environment built from scratch, and only 127.0.0.1 ports.
// Every wait is bounded; every child is killed (by its own pid) when the test ends.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

/** Upper bound for any single wait (start-up, exit): generous, because start-up is CPU-bound and CI boxes are small. */
export const WAIT_MS = 30_000

/** The shipped CLI entry, the bundle `npm run build` makes (this file runs from dist/test/support/). */
export const CLI = fileURLToPath(new URL('../../openclaw.mjs', import.meta.url))

export interface GatewayHome {
  dir: string
  stateDir: string
  configPath: string
  logFile: string
  /** The child's whole environment (nothing inherited but PATH). */
  env: Record<string, string>
  /** Children started in this home; killed before the home is removed. */
  procs: Spawned[]
}

export type ConfigValue = Record<string, unknown> | string

/** A minimal valid config that logs into the home's own file. */
export function baseConfig (home: Pick<GatewayHome, 'logFile'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const gateway = { mode: 'local', ...(extra.gateway as object | undefined) }
  return { ...extra, gateway, logging: { file: home.logFile, ...(extra.logging as object | undefined) } }
}

/**
 * Creates a temp home. `config` undefined writes `baseConfig`, null writes no
 * file, a string is written verbatim.
 */
export async function makeHome (t: TestContext, config?: ConfigValue | null): Promise<GatewayHome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-test-'))
  const stateDir = path.join(dir, 'state')
  const home: GatewayHome = {
    dir,
    stateDir,
    configPath: path.join(stateDir, 'openclaw.json'),
    logFile: path.join(dir, 'gateway.log'),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      TMPDIR: dir,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: path.join(stateDir, 'openclaw.json'),
      NO_COLOR: '1'
    },
    procs: []
  }
  t.after(async () => {
    await Promise.all(home.procs.map(async (p) => { await p.kill() }))
    await rm(dir, { recursive: true, force: true })
  })
  if (config !== null) await writeConfig(home, config ?? baseConfig(home))
  return home
}

export async function writeConfig (home: GatewayHome, config: ConfigValue): Promise<void> {
  await mkdir(path.dirname(home.configPath), { recursive: true })
  await writeFile(home.configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2))
}

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

/** A child process with its output collected and bounded waits on it. */
export class Spawned {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<Exit>
  exit: Exit | undefined
  private readonly waiters = new Set<() => void>()

  constructor (child: ChildProcess) {
    this.child = child
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; this.notify() })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; this.notify() })
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal }
        this.notify()
        resolve(this.exit)
      })
    })
  }

  get pid (): number { return this.child.pid! }

  /** Resolves with the first match of `pattern` on stdout; fails on exit or timeout. */
  async waitFor (pattern: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return await new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = pattern.exec(this.stdout)
        if (m !== null) { done(); resolve(m); return true }
        if (this.exit !== undefined) { done(); reject(new Error(`gateway exited (${JSON.stringify(this.exit)}) before ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)); return true }
        return false
      }
      const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)) }, timeoutMs)
      const done = () => { clearTimeout(timer); this.waiters.delete(waiter) }
      const waiter = () => { check() }
      this.waiters.add(waiter)
      check()
    })
  }

  /** Waits for the "listening on ws://host:port" line and returns the port. */
  async listening (timeoutMs = WAIT_MS): Promise<number> {
    const m = await this.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)/, timeoutMs)
    return Number(m[1])
  }

  /** Waits for the process to end; kills it (SIGKILL, by pid) and fails if it takes longer. */
  async waitExit (timeoutMs = WAIT_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL')
        reject(new Error(`gateway did not exit within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  signal (sig: NodeJS.Signals): void { this.child.kill(sig) }

  /** SIGKILL unless it has already exited. */
  async kill (): Promise<void> {
    if (this.exit !== undefined) return
    this.child.kill('SIGKILL')
    await this.exited
  }

  private notify (): void { for (const w of [...this.waiters]) w() }
}

export interface SpawnOptions {
  /** Added to (or, with undefined values, removed from) the home's environment. */
  env?: Record<string, string | undefined>
}

/** Starts `node dist/openclaw.mjs <args>`; killed (before the home is removed) if still running. */
export function spawnCli (home: GatewayHome, args: string[], opts: SpawnOptions = {}): Spawned {
  const env: Record<string, string> = { ...home.env }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  const child = spawn(process.execPath, [CLI, ...args], { cwd: home.dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const proc = new Spawned(child)
  home.procs.push(proc)
  return proc
}

/** `gateway <args>` as a child process. */
export function spawnGateway (home: GatewayHome, args: string[] = [], opts: SpawnOptions = {}): Spawned {
  return spawnCli(home, ['gateway', ...args], opts)
}

/** Runs the CLI to completion (bounded) and returns exit status and output. */
export async function runCli (home: GatewayHome, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<Exit & { stdout: string, stderr: string }> {
  const proc = spawnCli(home, args, opts)
  const exit = await proc.waitExit(opts.timeoutMs ?? WAIT_MS)
  return { ...exit, stdout: proc.stdout, stderr: proc.stderr }
}

/** GET (or another method) against 127.0.0.1:<port>, bounded. */
export async function request (port: number, urlPath: string, init: RequestInit = {}): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(5_000), ...init })
}

/** Spawns a plain node process that listens on `port` (a stand-in for "someone else"). */
export async function spawnPortHolder (t: TestContext, port: number): Promise<Spawned> {
  const code = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'))`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '' } })
  const proc = new Spawned(child)
  t.after(() => proc.kill())
  await proc.waitFor(/ready/, 10_000)
  return proc
}
