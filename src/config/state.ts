// Files the gateway owns in its state dir: the generated token, the
// single-instance lock, and the minimal config `--allow-unconfigured` writes.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { EXIT_CONFIG, StartupError } from '../errors/index.js'

export function tokenFile (stateDir: string): string {
  return path.join(stateDir, 'credentials', 'gateway-token')
}

/** Reads the generated token, or creates one (mode 0600) on first start. */
export async function ensureGeneratedToken (stateDir: string): Promise<string> {
  const file = tokenFile(stateDir)
  const existing = await readGeneratedToken(stateDir)
  if (existing !== undefined) return existing
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  // Hex, not base64url: a token starting with '-' would read as flags in `--token <t>`.
  const token = randomBytes(32).toString('hex')
  try {
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
    return token
  } catch (err) {
    // Another process won the race: use its token.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readGeneratedToken(stateDir)) ?? token
    throw err
  }
}

export async function readGeneratedToken (stateDir: string): Promise<string | undefined> {
  try {
    const t = (await readFile(tokenFile(stateDir), 'utf8')).trim()
    return t === '' ? undefined : t
  } catch {
    return undefined
  }
}

/** Writes `{ gateway: { mode: "local" } }` unless a file already exists. */
export async function writeMinimalConfig (configPath: string): Promise<boolean> {
  await mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 })
  const text = '// Created by `openclaw gateway --allow-unconfigured`. Edit freely.\n{\n  gateway: { mode: "local" },\n}\n'
  try {
    await writeFile(configPath, text, { mode: 0o600, flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

export interface StateLock { file: string, release: () => Promise<void> }

/**
 * One gateway per state dir. The lock file holds the owner's pid; a lock whose
 * pid is gone is stale and taken over.
 */
export async function acquireStateLock (stateDir: string, info: { port: number }, isAlive: (pid: number) => boolean = pidAlive): Promise<StateLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const file = path.join(stateDir, 'gateway.lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600)
      await fh.writeFile(JSON.stringify({ pid: process.pid, port: info.port, startedAt: Date.now() }))
      await fh.close()
      return {
        file,
        release: async () => {
          const owner = await readLockPid(file)
          if (owner === process.pid) await rm(file, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = await readLockPid(file)
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        throw new StartupError('GATEWAY_LOCKED', `gateway already running (pid ${pid})`, EXIT_CONFIG)
      }
      await rm(file, { force: true })
    }
  }
  throw new StartupError('GATEWAY_LOCKED', `could not acquire the gateway lock at ${file}`, 1)
}

export async function readLockPid (file: string): Promise<number | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown }
    return typeof parsed.pid === 'number' ? parsed.pid : undefined
  } catch {
    return undefined
  }
}

export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
