/**
 * Reading and writing one transcript file through an open handle. The handle is
 * opened 'a+' so every write lands at the end (O_APPEND) while positioned reads
 * still work, letting one cached handle serve both append() and history().
 */
import { open, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { FILE_MODE, syncDir } from './fs-util.js'
import type { OpenTranscript } from './handle-cache.js'
import { messageFromRecord, parseRecord, serializeRecord, type HeaderRecord } from './records.js'
import type { SessionHistoryOptions, SessionWarning, TranscriptMessage } from './types.js'

const CHUNK_BYTES = 64 * 1024
const NEWLINE = 0x0a

export interface OpenedTranscript extends OpenTranscript {
  /** True when the file was empty or missing and a fresh header was written. */
  created: boolean
}

/**
 * Opens (creating if needed) a transcript and makes its end a record boundary:
 * a torn last line left by a crash mid-write is truncated away, and an empty
 * file gets its header so it can always be traced back to its key.
 */
export async function openTranscript (
  file: string,
  header: HeaderRecord,
  warn: (w: SessionWarning) => void,
  openFile: typeof open = open
): Promise<OpenedTranscript> {
  const handle = await openFile(file, 'a+', FILE_MODE)
  try {
    let size = (await handle.stat()).size
    const complete = await completeLinesEnd(handle, size)
    if (complete < size) {
      await handle.truncate(complete)
      await handle.datasync()
      warn({
        code: 'TRANSCRIPT_TORN_TAIL',
        message: 'truncated a partial last line left by an interrupted write',
        agentId: header.agentId,
        path: file,
        count: size - complete
      })
      size = complete
    }
    if (size > 0) return { handle, size, created: false }
    const line = Buffer.from(serializeRecord(header), 'utf8')
    await handle.appendFile(line)
    await handle.datasync()
    await syncDir(path.dirname(file))
    return { handle, size: line.length, created: true }
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

/** Offset just past the last newline at or before `size` (0 when there is none). */
async function completeLinesEnd (handle: FileHandle, size: number): Promise<number> {
  let end = size
  while (end > 0) {
    const len = Math.min(CHUNK_BYTES, end)
    const buf = await readAt(handle, end - len, len)
    const nl = buf.lastIndexOf(NEWLINE)
    if (nl !== -1) return end - len + nl + 1
    end -= len
  }
  return 0
}

/**
 * Appends whole lines and waits for fdatasync. On failure the file is cut back
 * to its last known-good size so the next append cannot glue onto a fragment.
 */
export async function appendLines (t: OpenTranscript, data: string): Promise<void> {
  const buf = Buffer.from(data, 'utf8')
  try {
    await t.handle.appendFile(buf)
    await t.handle.datasync()
  } catch (err) {
    await t.handle.truncate(t.size).catch(() => undefined)
    throw err
  }
  t.size += buf.length
}

async function readAt (handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(buf, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return buf.subarray(0, filled)
}

/**
 * Yields complete lines newest first, reading `CHUNK_BYTES` at a time from `end`
 * backwards. A line longer than `maxLineBytes` yields `null` and ends the walk,
 * so a huge record that could never fit a byte budget is not buffered whole.
 */
export async function * linesBackward (
  handle: FileHandle,
  end: number,
  maxLineBytes = Infinity
): AsyncGenerator<Buffer | null> {
  let pos = end
  // Bytes after the newest newline seen so far, in file order; they hold no newline.
  let carry: Buffer[] = []
  let carryBytes = 0
  while (pos > 0) {
    const len = Math.min(CHUNK_BYTES, pos)
    pos -= len
    const buf = await readAt(handle, pos, len)
    let stop = buf.length
    let nl = buf.lastIndexOf(NEWLINE, stop - 1)
    if (nl === -1) {
      carry.unshift(buf)
      carryBytes += buf.length
      if (carryBytes > maxLineBytes) {
        yield null
        return
      }
      continue
    }
    const tail = Buffer.concat([buf.subarray(nl + 1), ...carry])
    if (tail.length > 0) yield tail.length > maxLineBytes ? null : tail
    if (tail.length > maxLineBytes) return
    stop = nl
    while (stop > 0 && (nl = buf.lastIndexOf(NEWLINE, stop - 1)) !== -1) {
      if (stop - nl - 1 > 0) yield buf.subarray(nl + 1, stop)
      stop = nl
    }
    carry = stop > 0 ? [Buffer.from(buf.subarray(0, stop))] : []
    carryBytes = stop
  }
  if (carryBytes > 0) {
    const first = Buffer.concat(carry)
    yield first.length > maxLineBytes ? null : first
  }
}

/** The most recent messages within limit/maxBytes, oldest first; bad lines are skipped and reported. */
export async function readHistory (
  t: OpenTranscript,
  opts: SessionHistoryOptions,
  onBadLines: (count: number) => void
): Promise<TranscriptMessage[]> {
  const limit = opts.limit ?? Infinity
  const maxBytes = opts.maxBytes ?? Infinity
  const newestFirst: TranscriptMessage[] = []
  let bytes = 0
  let bad = 0
  if (limit > 0 && maxBytes > 0) {
    for await (const line of linesBackward(t.handle, t.size, maxBytes)) {
      if (line === null) break
      const record = parseRecord(line.toString('utf8'))
      if (!record) {
        bad += 1
        continue
      }
      if (record.type !== 'message') continue
      // Byte budget counts the stored line plus its newline: what a caller would ship or re-read.
      if (bytes + line.length + 1 > maxBytes) break
      bytes += line.length + 1
      newestFirst.push(messageFromRecord(record))
      if (newestFirst.length >= limit) break
    }
  }
  if (bad > 0) onBadLines(bad)
  return newestFirst.reverse()
}
