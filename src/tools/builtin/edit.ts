/**
 * `edit`: replace exactly one occurrence of `oldText`. Requiring uniqueness
 * makes the model quote enough context that the edit lands where it meant.
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import { writeFileAtomic } from '../atomic-write.js'
import { ToolError, fsToolError } from '../../errors/tools.js'
import type { ToolDefinition } from '../types.js'
import { SAFE_READ_FLAGS, resolveExisting } from '../workspace.js'

export const EDIT_MAX_BYTES = 4 * 1024 * 1024

const EditArgs = Closed({
  path: Type.String({ minLength: 1, description: 'File path, relative to the workspace' }),
  oldText: Type.String({ minLength: 1, description: 'Exact text to replace; must occur exactly once in the file' }),
  newText: Type.String({ description: 'Replacement text' })
})

/** Match positions, overlapping ones included (an overlap is ambiguous too); stops at `max`. */
function findOccurrences (haystack: string, needle: string, max: number): number[] {
  const found: number[] = []
  for (let i = haystack.indexOf(needle); i !== -1 && found.length < max; i = haystack.indexOf(needle, i + 1)) found.push(i)
  return found
}

function countAll (haystack: string, needle: string): number {
  return findOccurrences(haystack, needle, Number.POSITIVE_INFINITY).length
}

async function readText (fh: FileHandle, display: string): Promise<{ text: string, mode: number, mtimeMs: number, size: number }> {
  const st = await fh.stat()
  if (!st.isFile()) throw new ToolError('TOOL_PATH_TYPE', `${display}: ${st.isDirectory() ? 'is a directory' : 'not a regular file'}`)
  if (st.size > EDIT_MAX_BYTES) throw new ToolError('TOOL_FILE_TOO_LARGE', `${display} is ${st.size} bytes; edit supports up to ${EDIT_MAX_BYTES}`)
  const raw = await fh.readFile()
  if (raw.includes(0)) throw new ToolError('TOOL_BINARY_FILE', `${display}: file looks binary (contains NUL bytes)`)
  let text: string
  try {
    // fatal: re-encoding lossy-decoded bytes would corrupt the file; ignoreBOM keeps a BOM in place.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    throw new ToolError('TOOL_BINARY_FILE', `${display}: not valid UTF-8 text`)
  }
  return { text, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, size: st.size }
}

export const editTool: ToolDefinition<typeof EditArgs> = {
  name: 'edit',
  description: 'Edit a text file in the agent workspace by replacing `oldText` with `newText`. `oldText` must match exactly (including whitespace) and occur exactly once; include surrounding lines to make it unique.',
  parameters: EditArgs,
  async execute (args, ctx) {
    const target = await resolveExisting(ctx.workspace, args.path)
    let fh: FileHandle
    try {
      fh = await open(target.real, SAFE_READ_FLAGS)
    } catch (err) {
      throw fsToolError(err, target.display)
    }
    let file: Awaited<ReturnType<typeof readText>>
    try {
      file = await readText(fh, target.display)
    } catch (err) {
      throw fsToolError(err, target.display)
    } finally {
      await fh.close()
    }

    const hits = findOccurrences(file.text, args.oldText, 2)
    if (hits.length === 0) {
      throw new ToolError('TOOL_EDIT_NO_MATCH', `oldText was not found in ${target.display}; it must match the file exactly, including whitespace and indentation`)
    }
    if (hits.length > 1) {
      const n = countAll(file.text, args.oldText)
      throw new ToolError('TOOL_EDIT_AMBIGUOUS', `oldText occurs ${n} times in ${target.display}; include more surrounding text so it matches exactly once`, { details: { occurrences: n } })
    }
    const at = hits[0]
    // Slices, not String.replace: `$&`-style patterns in newText must stay literal.
    const next = file.text.slice(0, at) + args.newText + file.text.slice(at + args.oldText.length)

    // Refuse to clobber a concurrent change (another run editing the same file).
    const now = await stat(target.real).catch((err: unknown) => { throw fsToolError(err, target.display) })
    if (now.mtimeMs !== file.mtimeMs || now.size !== file.size) {
      throw new ToolError('TOOL_IO_ERROR', `${target.display} changed while editing; read it again and retry`)
    }
    if (ctx.signal.aborted) throw new ToolError('TOOL_ABORTED', 'edit was aborted')
    try {
      await writeFileAtomic(target.real, next, { mode: file.mode })
    } catch (err) {
      throw fsToolError(err, target.display)
    }
    const line = file.text.slice(0, at).split('\n').length
    return {
      content: `Edited ${target.display}: replaced 1 occurrence at line ${line}`,
      details: { path: target.display, line }
    }
  }
}
