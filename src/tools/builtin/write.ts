/** `write`: create or replace a file in the workspace, atomically. */
import { lstat } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import { writeFileAtomic } from '../atomic-write.js'
import { ToolError, fsToolError } from '../../errors/tools.js'
import type { ToolDefinition } from '../types.js'
import { ensureParentDir, resolveForWrite } from '../workspace.js'

export const WRITE_MAX_BYTES = 16 * 1024 * 1024

const WriteArgs = Closed({
  path: Type.String({ minLength: 1, description: 'File path, relative to the workspace; missing parent directories are created' }),
  content: Type.String({ description: 'The complete new file content' })
})

export const writeTool: ToolDefinition<typeof WriteArgs> = {
  name: 'write',
  description: 'Create or overwrite a text file in the agent workspace with the given content. Parent directories are created as needed.',
  parameters: WriteArgs,
  async execute (args, ctx) {
    const data = Buffer.from(args.content, 'utf8')
    if (data.length > WRITE_MAX_BYTES) {
      throw new ToolError('TOOL_FILE_TOO_LARGE', `content is ${data.length} bytes; the limit is ${WRITE_MAX_BYTES}`)
    }
    const target = await resolveForWrite(ctx.workspace, args.path)
    let mode: number | undefined
    if (target.exists) {
      // `real` is already resolved, so lstat sees the file itself.
      const st = await lstat(target.real).catch((err: unknown) => { throw fsToolError(err, target.display) })
      if (!st.isFile()) throw new ToolError('TOOL_PATH_TYPE', `${target.display}: ${st.isDirectory() ? 'is a directory' : 'not a regular file'}`)
      mode = st.mode & 0o7777
    }
    const finalPath = await ensureParentDir(target)
    if (ctx.signal.aborted) throw new ToolError('TOOL_ABORTED', 'write was aborted')
    try {
      await writeFileAtomic(finalPath, data, mode === undefined ? {} : { mode })
    } catch (err) {
      throw fsToolError(err, target.display)
    }
    return {
      content: `${target.exists ? 'Overwrote' : 'Created'} ${target.display} (${data.length} bytes)`,
      details: { path: target.display, bytes: data.length, created: !target.exists }
    }
  }
}
