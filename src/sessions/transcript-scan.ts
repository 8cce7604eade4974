/**
 * Full forward scans of transcripts, used only to rebuild or repair the index:
 * derive an entry from the header, patch and message records of one file.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { isSessionId, isSessionKey, parseSessionKey } from './keys.js'
import {
  applyMessages,
  applyPatch,
  messageFromRecord,
  normalizePatch,
  parseRecord,
  type HeaderRecord
} from './records.js'
import type { SessionEntry, SessionPatch } from './types.js'

const CHUNK_BYTES = 256 * 1024
const NEWLINE = 0x0a

export interface TranscriptScan {
  header: HeaderRecord
  entry: SessionEntry
  /** Offset just past the last complete line. */
  validBytes: number
  /** Bytes after the last newline: a torn write. */
  tornBytes: number
  badLines: number
}

/** Yields each complete line with the offset just past its newline. */
export async function * linesForward (handle: FileHandle): AsyncGenerator<{ line: Buffer, end: number }> {
  let carry: Buffer[] = []
  let position = 0
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES)
    const { bytesRead } = await handle.read(buf, 0, CHUNK_BYTES, position)
    if (bytesRead === 0) return
    const chunk = buf.subarray(0, bytesRead)
    let start = 0
    let nl: number
    while ((nl = chunk.indexOf(NEWLINE, start)) !== -1) {
      const piece = chunk.subarray(start, nl)
      const line = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece
      carry = []
      yield { line, end: position + nl + 1 }
      start = nl + 1
    }
    if (start < chunk.length) carry.push(Buffer.from(chunk.subarray(start)))
    position += bytesRead
  }
}

function isUsableHeader (header: HeaderRecord, fileSessionId: string): boolean {
  if (!isSessionKey(header.key) || header.sessionId !== fileSessionId || !isSessionId(header.sessionId)) return false
  return parseSessionKey(header.key).agentId === header.agentId
}

/**
 * Reads the whole file. Returns undefined when the first line is not a usable
 * header for `sessionId`: without one there is no key to file the session under.
 */
export async function scanTranscript (file: string, sessionId: string): Promise<TranscriptScan | undefined> {
  const handle = await open(file, 'r')
  try {
    let header: HeaderRecord | undefined
    let entry: SessionEntry | undefined
    let validBytes = 0
    let badLines = 0
    for await (const { line, end } of linesForward(handle)) {
      validBytes = end
      if (line.length === 0) continue
      const record = parseRecord(line.toString('utf8'))
      if (!entry || !header) {
        if (record?.type !== 'session' || !isUsableHeader(record, sessionId)) return undefined
        header = record
        entry = entryFromHeader(record)
        continue
      }
      if (!record || record.type === 'session') {
        badLines += 1
      } else if (record.type === 'patch') {
        const patch = safePatch(record.patch)
        // Settings changes are not activity: like patch(), they leave updatedAt alone.
        if (!patch) badLines += 1
        else applyPatch(entry, patch)
      } else {
        applyMessages(entry, [messageFromRecord(record)])
        entry.updatedAt = Math.max(entry.updatedAt, record.timestamp)
      }
    }
    if (!header || !entry) return undefined
    const size = (await handle.stat()).size
    return { header, entry, validBytes, tornBytes: size - validBytes, badLines }
  } finally {
    await handle.close()
  }
}

export function entryFromHeader (header: HeaderRecord): SessionEntry {
  const entry: SessionEntry = {
    key: header.key,
    agentId: header.agentId,
    sessionId: header.sessionId,
    createdAt: header.createdAt,
    updatedAt: header.createdAt,
    messageCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0
  }
  const settings = header.settings === undefined ? undefined : safePatch(header.settings)
  if (settings) applyPatch(entry, settings)
  return entry
}

/** Files on disk are input too: a patch with wrong field types is ignored rather than trusted. */
function safePatch (patch: unknown): SessionPatch | undefined {
  try {
    return normalizePatch(patch)
  } catch {
    return undefined
  }
}

/** Reads just the first line, enough to group transcripts by key before a full scan. */
export async function readHeader (file: string, sessionId: string): Promise<HeaderRecord | undefined> {
  const handle = await open(file, 'r')
  try {
    const first = await linesForward(handle).next()
    if (first.done === true) return undefined
    const record = parseRecord(first.value.line.toString('utf8'))
    return record?.type === 'session' && isUsableHeader(record, sessionId) ? record : undefined
  } finally {
    await handle.close()
  }
}
