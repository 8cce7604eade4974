/** `ls`: the entries of a workspace directory, with type and size. */
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import { ToolError, fsToolError } from '../../errors/tools.js'
import type { ToolDefinition } from '../types.js'
import { resolveExisting } from '../workspace.js'

export const LS_MAX_ENTRIES = 1000

const LsArgs = Closed({
  path: Type.Optional(Type.String({ description: 'Directory, relative to the workspace (default: the workspace root)' }))
})

type EntryType = 'file' | 'dir' | 'symlink' | 'other'

export interface LsEntry {
  name: string
  type: EntryType
  size?: number
}

function format (e: LsEntry): string {
  switch (e.type) {
    case 'dir': return `${e.name}/`
    case 'file': return `${e.name}  (${e.size ?? 0} bytes)`
    case 'symlink': return `${e.name}  (symlink)`
    default: return `${e.name}  (special file)`
  }
}

export const lsTool: ToolDefinition<typeof LsArgs> = {
  name: 'ls',
  description: `List a directory in the agent workspace: names with type and size, sorted by name (at most ${LS_MAX_ENTRIES} entries).`,
  parameters: LsArgs,
  async execute (args, ctx) {
    const target = await resolveExisting(ctx.workspace, args.path ?? '.')
    let names: string[]
    try {
      const st = await lstat(target.real)
      if (!st.isDirectory()) throw new ToolError('TOOL_PATH_TYPE', `${target.display}: not a directory (use read)`)
      names = (await readdir(target.real)).sort()
    } catch (err) {
      throw fsToolError(err, target.display)
    }
    const shown = names.slice(0, LS_MAX_ENTRIES)
    // lstat, not stat: a symlink is reported as such, never followed out of the workspace.
    const entries = await Promise.all(shown.map(async (name): Promise<LsEntry> => {
      const st = await lstat(path.join(target.real, name)).catch(() => undefined)
      if (st === undefined) return { name, type: 'other' }
      if (st.isDirectory()) return { name, type: 'dir' }
      if (st.isFile()) return { name, type: 'file', size: st.size }
      if (st.isSymbolicLink()) return { name, type: 'symlink' }
      return { name, type: 'other' }
    }))
    const truncated = names.length > shown.length
    const lines = entries.map(format)
    if (lines.length === 0) lines.push('(empty directory)')
    if (truncated) lines.push(`[${names.length - shown.length} more entries not shown]`)
    return { content: lines.join('\n'), details: { path: target.display, entries, truncated } }
  }
}
