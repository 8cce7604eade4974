// Cursor-based reads of the JSONL log file for `logs.tail` (contract 2.2):
// without a cursor, the last maxBytes; with one, from it. Only whole lines
// are returned and the cursor stops after the last complete one, so a line
// being written is delivered whole by the next call.
import { open } from 'node:fs/promises'
import type { LogsTailResult } from '../../schemas/rpc/core.js'

export const DEFAULT_LIMIT = 500
export const DEFAULT_MAX_BYTES = 250_000

export interface TailRequest {
  file: string
  cursor: number | undefined
  limit: number
  maxBytes: number
  /** What the client read last time: a different name or inode means rotation. */
  previous: { file: string, identity: string } | undefined
}

export interface TailRead extends LogsTailResult {
  /** dev:ino of the file read, so the caller can notice rotation next time. */
  identity: string
}

export async function readLogTail (req: TailRequest): Promise<TailRead> {
  let handle
  try {
    handle = await open(req.file, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: req.file, cursor: 0, size: 0, lines: [], identity: '' }
    throw err
  }
  try {
    const stat = await handle.stat()
    const size = stat.size
    const identity = `${stat.dev}:${stat.ino}`
    const prev = req.previous
    const rotated = prev !== undefined && (prev.file !== req.file || prev.identity !== identity)
    const { start, reset, truncated, skippedBytes } = window(req, size, rotated)
    const result: TailRead = { file: req.file, cursor: start, size, lines: [], identity }
    if (reset) result.reset = true
    if (skippedBytes !== undefined) result.skippedBytes = skippedBytes
    if (size > start) {
      const buffer = Buffer.allocUnsafe(size - start)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
      const slice = buffer.subarray(0, bytesRead)
      const lastNewline = slice.lastIndexOf(0x0a)
      // Starting mid-file, the first line is a fragment unless the previous byte ends a line.
      const dropFirst = start > 0 && !(await endsLine(handle, start))
      let lines = lastNewline < 0 ? [] : slice.subarray(0, lastNewline).toString('utf8').split('\n')
      if (dropFirst && lines.length > 0) lines = lines.slice(1)
      let cut = truncated
      if (lines.length > req.limit) {
        lines = lines.slice(lines.length - req.limit)
        cut = true
      }
      result.lines = lines.filter((l) => l !== '')
      result.cursor = lastNewline < 0 ? start : start + lastNewline + 1
      if (cut) result.truncated = true
    } else if (truncated) {
      result.truncated = true
    }
    return result
  } finally {
    await handle.close()
  }
}

function window (req: TailRequest, size: number, rotated: boolean): { start: number, reset: boolean, truncated: boolean, skippedBytes?: number } {
  const tailStart = Math.max(0, size - req.maxBytes)
  if (req.cursor === undefined) return { start: tailStart, reset: false, truncated: tailStart > 0 }
  if (rotated || req.cursor > size) return { start: tailStart, reset: true, truncated: tailStart > 0 }
  if (size - req.cursor > req.maxBytes) {
    // A valid cursor that fell too far behind: jump ahead and say how much was skipped.
    return { start: tailStart, reset: true, truncated: true, skippedBytes: tailStart - req.cursor }
  }
  return { start: req.cursor, reset: false, truncated: false }
}

async function endsLine (handle: Awaited<ReturnType<typeof open>>, start: number): Promise<boolean> {
  const one = Buffer.alloc(1)
  const { bytesRead } = await handle.read(one, 0, 1, start - 1)
  return bytesRead === 1 && one[0] === 0x0a
}
