/**
 * The per-agent `sessions.json` snapshot: a JSON object key → SessionEntry,
 * written one entry per line so it can be read and written a chunk at a time
 * (a 100,000-session index never sits in memory as one string). It is a cache
 * of what the transcripts say, so anything doubtful means "rebuild", never "crash".
 */
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { FILE_MODE, isErrno, renameDurably } from './fs-util.js'
import { agentOfKey, isSessionId } from './keys.js'
import { EntryLine } from './entry-line.js'
import { SessionIndex } from './session-index.js'
import type { SessionEntry } from './types.js'

export type IndexReadResult =
  | { kind: 'ok', entries: SessionIndex, legacy: boolean }
  | { kind: 'missing' }
  | { kind: 'corrupt', reason: string }

const COUNTERS = ['createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens'] as const
/** Entries per write while streaming a snapshot out; each batch is one short synchronous stringify. */
const WRITE_BATCH = 2_000
const READ_CHUNK = 1024 * 1024
const NEWLINE = 0x0a
const OPEN = 0x7b
const CLOSE = 0x7d
/** Snapshot bytes per entry and per byte of string record, for sizing the index up front (over-estimates cost only address space). */
const BYTES_PER_ENTRY = 280
const BYTES_PER_RECORD_BYTE = 3

/** Reads our one-entry-per-line layout; any other valid JSON object (an older pretty-printed file) is read whole. */
export async function readIndex (file: string, openFile: typeof open = open): Promise<IndexReadResult> {
  let handle
  try {
    handle = await openFile(file, 'r')
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { kind: 'missing' }
    throw err
  }
  const size = (await handle.stat()).size
  const reader = new LineReader(new SessionIndex({ capacity: Math.ceil(size / BYTES_PER_ENTRY), arenaBytes: Math.ceil(size / BYTES_PER_RECORD_BYTE) }))
  try {
    for await (const { buf, cut } of lineBlocks(handle)) {
      for (let p = 0; p <= cut && reader.layoutOk;) {
        const nl = buf.indexOf(NEWLINE, p)
        const corrupt = reader.line(buf, p, nl)
        if (corrupt) return corrupt
        p = nl + 1
      }
      if (!reader.layoutOk) break
    }
  } finally {
    await handle.close()
  }
  if (reader.layoutOk && reader.ended) return { kind: 'ok', entries: reader.entries, legacy: false }
  return readWhole(file)
}

/** The layout check and entry reading of one snapshot, a line at a time. */
class LineReader {
  layoutOk = true
  ended = false
  private lineNo = 0
  private readonly parsed = new EntryLine()

  constructor (readonly entries: SessionIndex) {}

  line (buf: Buffer, start: number, end: number): IndexReadResult | undefined {
    this.lineNo += 1
    const one = end - start === 1 ? buf[start] : -1
    if (this.lineNo === 1) {
      this.layoutOk = one === OPEN
    } else if (one === CLOSE) {
      this.ended = true
    } else if (start === end || this.ended) {
      this.layoutOk = start === end && !this.ended
    } else if (this.parsed.parse(buf, start, end)) {
      // The common line: straight from the bytes into the index.
      this.entries.setLine(this.parsed, buf)
    } else {
      const pair = parseEntryLine(buf.toString('utf8', start, end))
      if (!pair) {
        this.layoutOk = false
        return undefined
      }
      const problem = entryProblem(pair[0], pair[1])
      if (problem) return { kind: 'corrupt', reason: `entry "${pair[0].slice(0, 80)}": ${problem}` }
      this.entries.set(pair[0], pair[1] as SessionEntry)
    }
    return undefined
  }
}

/**
 * The file in blocks of complete lines: each yielded buffer holds whole lines
 * up to and including the newline at `cut`; the rest is carried to the next block.
 */
async function * lineBlocks (handle: FileHandle): AsyncGenerator<{ buf: Buffer, cut: number }> {
  let buf = Buffer.allocUnsafe(READ_CHUNK)
  let used = 0
  for (;;) {
    // A line longer than the buffer: grow it rather than split a line.
    if (used === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)])
    const { bytesRead } = await handle.read(buf, used, buf.length - used, null)
    // A last line without its newline is a torn write: not yielded, so the layout check fails.
    if (bytesRead === 0) return
    used += bytesRead
    const cut = buf.lastIndexOf(NEWLINE, used - 1)
    if (cut === -1) continue
    yield { buf, cut }
    used = buf.copy(buf, 0, cut + 1, used)
  }
}

function parseEntryLine (text: string): [string, unknown] | undefined {
  const end = text.endsWith(',') ? text.length - 1 : text.length
  const sep = text.indexOf('":{')
  // Fast path: a key without escapes is the text between the quotes; parsing the value alone is ~5x faster than the pair.
  if (text.startsWith('"') && sep > 0 && !text.slice(0, sep).includes('\\')) {
    try {
      return [text.slice(1, sep), JSON.parse(text.slice(sep + 2, end))]
    } catch {
      return undefined
    }
  }
  try {
    const obj = JSON.parse(`{${text.slice(0, end)}}`) as Record<string, unknown>
    const keys = Object.keys(obj)
    return keys.length === 1 ? [keys[0]!, obj[keys[0]!]] : undefined
  } catch {
    return undefined
  }
}

async function readWhole (file: string): Promise<IndexReadResult> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    return { kind: 'corrupt', reason: `not JSON: ${(err as Error).message}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'corrupt', reason: 'not an object' }
  }
  const entries = new SessionIndex()
  for (const [key, value] of Object.entries(parsed)) {
    const problem = entryProblem(key, value)
    if (problem) return { kind: 'corrupt', reason: `entry "${key.slice(0, 80)}": ${problem}` }
    entries.set(key, value as SessionEntry)
  }
  return { kind: 'ok', entries, legacy: true }
}

/** Enough checking that later code can trust types and build paths from sessionId. */
export function entryProblem (key: string, value: unknown): string | undefined {
  const agentId = agentOfKey(key)
  if (agentId === undefined) return 'invalid key'
  if (typeof value !== 'object' || value === null) return 'not an object'
  const e = value as Record<string, unknown>
  if (e.key !== key) return 'key mismatch'
  if (e.agentId !== agentId) return 'agentId mismatch'
  if (!isSessionId(e.sessionId)) return 'sessionId is not a uuid'
  for (const field of COUNTERS) {
    if (typeof e[field] !== 'number' || !Number.isFinite(e[field])) return `${field} is not a number`
  }
  return undefined
}

/**
 * Streams the entries to a temp file in batches of slots, fsyncs it and renames
 * it over `file`. Each entry is copied as it is when its batch runs, so entries
 * changed meanwhile are at least as new as when the write began; one that moved
 * slot meanwhile was changed after the log rotated, so the new log holds it.
 */
export async function writeIndex (
  file: string,
  source: SessionIndex | ReadonlyMap<string, SessionEntry>,
  openFile: typeof open = open
): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const entries = source instanceof SessionIndex ? source : SessionIndex.from(source)
  const handle = await openFile(tmp, 'wx', FILE_MODE)
  try {
    try {
      let first = true
      await handle.writeFile('{\n')
      for (let i = 0; i < entries.slotLimit; i += WRITE_BATCH) {
        let chunk = ''
        for (let slot = i, end = Math.min(i + WRITE_BATCH, entries.slotLimit); slot < end; slot++) {
          if (!entries.isLive(slot)) continue
          const entry = entries.entryAt(slot)
          chunk += `${first ? '' : ',\n'}${JSON.stringify(entry.key)}:${JSON.stringify(entry)}`
          first = false
        }
        await handle.writeFile(chunk)
      }
      await handle.writeFile('\n}\n')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await renameDurably(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
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
