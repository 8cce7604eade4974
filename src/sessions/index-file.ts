/**
 * The per-agent `sessions.json` index: a map key → SessionEntry. It is a cache
 * of what the transcripts say, so anything doubtful about it means "rebuild",
 * never "crash".
 */
import { readFile } from 'node:fs/promises'
import { isErrno, writeFileAtomic } from './fs-util.js'
import { isSessionId, isSessionKey, parseSessionKey } from './keys.js'
import type { SessionEntry } from './types.js'

export type IndexReadResult =
  | { kind: 'ok', entries: Map<string, SessionEntry> }
  | { kind: 'missing' }
  | { kind: 'corrupt', reason: string }

const COUNTERS = ['createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens'] as const

export async function readIndex (file: string): Promise<IndexReadResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { kind: 'missing' }
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    return { kind: 'corrupt', reason: `not JSON: ${(err as Error).message}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'corrupt', reason: 'not an object' }
  }
  const entries = new Map<string, SessionEntry>()
  for (const [key, value] of Object.entries(parsed)) {
    const problem = entryProblem(key, value)
    if (problem) return { kind: 'corrupt', reason: `entry "${key.slice(0, 80)}": ${problem}` }
    entries.set(key, value as SessionEntry)
  }
  return { kind: 'ok', entries }
}

/** Enough checking that later code can trust types and build paths from sessionId. */
function entryProblem (key: string, value: unknown): string | undefined {
  if (!isSessionKey(key)) return 'invalid key'
  if (typeof value !== 'object' || value === null) return 'not an object'
  const e = value as Record<string, unknown>
  if (e.key !== key) return 'key mismatch'
  if (e.agentId !== parseSessionKey(key).agentId) return 'agentId mismatch'
  if (!isSessionId(e.sessionId)) return 'sessionId is not a uuid'
  for (const field of COUNTERS) {
    if (typeof e[field] !== 'number' || !Number.isFinite(e[field])) return `${field} is not a number`
  }
  return undefined
}

export async function writeIndex (file: string, entries: ReadonlyMap<string, SessionEntry>): Promise<void> {
  const obj: Record<string, SessionEntry> = {}
  for (const [key, entry] of entries) obj[key] = entry
  await writeFileAtomic(file, `${JSON.stringify(obj, null, 2)}\n`)
}

export interface SerialWriter {
  /**
   * Resolves after a write that started after this call has finished, so the
   * caller's in-memory change is on disk. Calls made while a write runs share
   * one follow-up write: many concurrent updates cost two writes, not many.
   */
  flush(): Promise<void>
  /** Resolves when no write is running or queued. */
  idle(): Promise<void>
}

export function createSerialWriter (write: () => Promise<void>): SerialWriter {
  let running: Promise<void> | undefined
  let queued: Promise<void> | undefined

  const start = (): Promise<void> => {
    const p: Promise<void> = write().finally(() => {
      if (running === p) running = undefined
    })
    running = p
    return p
  }

  return {
    flush () {
      if (queued) return queued
      if (!running) return start()
      const q = running
        .catch(() => undefined)
        .then(() => {
          queued = undefined
          return start()
        })
      queued = q
      return q
    },
    async idle () {
      for (let p = queued ?? running; p; p = queued ?? running) await p.catch(() => undefined)
    }
  }
}
