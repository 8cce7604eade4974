/**
 * `read`: a window of lines from a text file in the workspace. The file is
 * streamed in chunks, so neither a huge file nor a huge single line is ever
 * held in memory beyond the output budget.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import { ToolError, fsToolError } from '../../errors/tools.js'
import { utf8Prefix } from '../text-limit.js'
import type { ToolDefinition } from '../types.js'
import { SAFE_READ_FLAGS, resolveExisting } from '../workspace.js'

/**
 * Output budget per call. Kept under the registry's 64 KiB result cap so our
 * own "continue with offset=N" note survives instead of a blind cut.
 */
export const READ_MAX_BYTES = 48 * 1024
const DEFAULT_LINE_LIMIT = 2000
const CHUNK_BYTES = 64 * 1024
const NEWLINE = 0x0a

const ReadArgs = Closed({
  path: Type.String({ minLength: 1, description: 'File path, relative to the workspace' }),
  offset: Type.Optional(Type.Integer({ minimum: 1, description: 'First line to return (1-based, default 1)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: `Maximum number of lines (default ${DEFAULT_LINE_LIMIT})` }))
})

interface Window {
  text: string
  firstLine: number
  lastLine: number
  /** Lines seen; exact only when the scan reached the end of the file. */
  linesSeen: number
  stop: 'eof' | 'limit' | 'bytes'
  moreAfter: boolean
}

async function scanLines (fh: FileHandle, size: number, offset: number, limit: number, signal: AbortSignal): Promise<Window> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES)
  const out: Buffer[] = []
  const end = offset + limit
  let line = 1
  let lineHasBytes = false
  let bytes = 0
  let first = 0
  let last = 0
  let position = 0
  for (;;) {
    if (signal.aborted) throw new ToolError('TOOL_ABORTED', 'read was aborted')
    const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, position)
    if (bytesRead === 0) break
    const chunk = buf.subarray(0, bytesRead)
    // Same heuristic as git: a NUL near the start means binary.
    if (position === 0 && chunk.includes(0)) throw new ToolError('TOOL_BINARY_FILE', 'file looks binary (contains NUL bytes)')
    let i = 0
    while (i < bytesRead) {
      const nl = chunk.indexOf(NEWLINE, i)
      const segEnd = nl === -1 ? bytesRead : nl + 1
      if (line >= offset) {
        const seg = chunk.subarray(i, segEnd)
        if (first === 0) first = line
        last = line
        if (bytes + seg.length > READ_MAX_BYTES) {
          out.push(Buffer.from(utf8Prefix(seg, READ_MAX_BYTES - bytes)))
          return { text: Buffer.concat(out).toString('utf8'), firstLine: first, lastLine: last, linesSeen: line, stop: 'bytes', moreAfter: true }
        }
        out.push(Buffer.from(seg))
        bytes += seg.length
      }
      lineHasBytes = nl === -1
      i = segEnd
      if (nl !== -1) {
        line++
        if (line >= end) {
          const moreAfter = position + i < size
          return { text: Buffer.concat(out).toString('utf8'), firstLine: first, lastLine: last, linesSeen: line - 1, stop: 'limit', moreAfter }
        }
      }
    }
    position += bytesRead
  }
  const linesSeen = lineHasBytes ? line : line - 1
  return { text: Buffer.concat(out).toString('utf8'), firstLine: first, lastLine: last, linesSeen, stop: 'eof', moreAfter: false }
}

export const readTool: ToolDefinition<typeof ReadArgs> = {
  name: 'read',
  description: `Read a text file from the agent workspace. Returns up to ${DEFAULT_LINE_LIMIT} lines (or ${READ_MAX_BYTES / 1024} KiB) starting at \`offset\`; use offset/limit to page through larger files.`,
  parameters: ReadArgs,
  async execute (args, ctx) {
    const target = await resolveExisting(ctx.workspace, args.path)
    const offset = args.offset ?? 1
    const limit = args.limit ?? DEFAULT_LINE_LIMIT
    let fh: FileHandle
    try {
      fh = await open(target.real, SAFE_READ_FLAGS)
    } catch (err) {
      throw fsToolError(err, target.display)
    }
    try {
      const st = await fh.stat()
      if (!st.isFile()) {
        throw new ToolError('TOOL_PATH_TYPE', `${target.display}: ${st.isDirectory() ? 'is a directory (use ls)' : 'not a regular file'}`)
      }
      const w = await scanLines(fh, st.size, offset, limit, ctx.signal)
      if (w.firstLine === 0) {
        if (offset === 1) return { content: '[empty file]', details: { path: target.display, lines: 0 } }
        throw new ToolError('TOOL_INVALID_ARGS', `offset ${offset} is beyond the end of ${target.display} (${w.linesSeen} lines)`)
      }
      let note = ''
      if (w.stop === 'bytes') {
        note = `\n\n[output truncated at ${READ_MAX_BYTES / 1024} KiB: showing lines ${w.firstLine}-${w.lastLine} (line ${w.lastLine} cut); continue with offset=${w.lastLine + 1}]`
      } else if (w.moreAfter) {
        note = `\n\n[showing lines ${w.firstLine}-${w.lastLine}; more lines follow, continue with offset=${w.lastLine + 1}]`
      }
      return {
        content: w.text + note,
        details: { path: target.display, firstLine: w.firstLine, lastLine: w.lastLine, truncated: w.stop === 'bytes' || w.moreAfter }
      }
    } catch (err) {
      throw fsToolError(err, target.display)
    } finally {
      await fh.close()
    }
  }
}
