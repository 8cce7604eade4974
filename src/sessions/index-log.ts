/**
 * The append-only half of the index: `sessions.log` holds one JSON line per
 * committed change (the whole entry, or a delete), so a turn costs one small
 * append + fdatasync whatever the number of sessions. Replaying the log over
 * the `sessions.json` snapshot gives the index; since each line is a whole
 * entry, replaying a line the snapshot already holds changes nothing.
 *
 * A `touch` line names a key before its first transcript write since the last
 * compaction, so after a crash only keys named in the logs need rechecking.
 */
import { stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { entryProblem } from './index-file.js'
import { isSessionKey, type SessionPaths } from './keys.js'
import type { SessionIndex } from './session-index.js'
import { linesForward } from './transcript-scan.js'
import type { SessionEntry } from './types.js'

export const LOG_FILE = 'sessions.log'
/** The log being folded into a new snapshot; it exists only while (or if a crash interrupted) a compaction. */
export const ROTATED_LOG_FILE = 'sessions.log.1'

export type LogRecord = { k: string, e: SessionEntry } | { k: string, d: 1 } | { k: string, t: 1 }

export function logLine (record: LogRecord): string {
  return `${JSON.stringify(record)}\n`
}

export type ReplayResult =
  | { kind: 'ok', lines: number, validBytes: number, size: number }
  | { kind: 'corrupt', reason: string }

/**
 * Applies every complete line to `entries` and adds each named key to `named`.
 * A last line without its newline is a torn append (not acknowledged): it is
 * reported through `validBytes < size` for the caller to truncate.
 */
export async function replayLog (
  handle: FileHandle,
  entries: SessionIndex,
  named: Set<string>
): Promise<ReplayResult> {
  let lines = 0
  let validBytes = 0
  for await (const { line, end } of linesForward(handle)) {
    validBytes = end
    if (line.length === 0) continue
    lines += 1
    const record = parseLogLine(line.toString('utf8'))
    if (typeof record === 'string') return { kind: 'corrupt', reason: `line ${lines}: ${record}` }
    named.add(record.k)
    if ('e' in record) entries.set(record.k, record.e)
    else if ('d' in record) entries.delete(record.k)
  }
  const size = (await handle.stat()).size
  return { kind: 'ok', lines, validBytes, size }
}

/** The record, or why the line is not one. */
function parseLogLine (text: string): LogRecord | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'not JSON'
  }
  if (typeof value !== 'object' || value === null) return 'not an object'
  const r = value as Record<string, unknown>
  if (typeof r.k !== 'string') return 'no key'
  if (r.e !== undefined) {
    const problem = entryProblem(r.k, r.e)
    return problem ?? (r as LogRecord)
  }
  if (r.d === 1 || r.t === 1) return isSessionKey(r.k) ? (r as LogRecord) : 'invalid key'
  return 'neither an entry, a delete nor a touch'
}

/** Bytes of index (snapshot and logs) on disk for these agents: what a load would read. */
export async function indexBytes (paths: SessionPaths, agentIds: string[]): Promise<number> {
  const files = agentIds.flatMap((id) => [paths.indexFile(id), ...[LOG_FILE, ROTATED_LOG_FILE].map((f) => path.join(paths.sessionsDir(id), f))])
  const sizes = await Promise.all(files.map(async (f) => (await stat(f).catch(() => undefined))?.size ?? 0))
  return sizes.reduce((a, b) => a + b, 0)
}
