/** `session_status`: the index entry of the current session, or another of the same agent. */
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import { isSessionKey, parseSessionKey } from '../../sessions/keys.js'
import { ToolError } from '../../errors/tools.js'
import type { ToolDefinition } from '../types.js'

const SessionStatusArgs = Closed({
  sessionKey: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Session key (default: the current session)' }))
})

export const sessionStatusTool: ToolDefinition<typeof SessionStatusArgs> = {
  name: 'session_status',
  description: 'Show the status of the current session (or another session of this agent): model, message count, token usage, timestamps.',
  parameters: SessionStatusArgs,
  async execute (args, ctx) {
    const key = args.sessionKey ?? ctx.sessionKey
    if (!isSessionKey(key)) throw new ToolError('TOOL_INVALID_ARGS', `invalid session key "${String(key).slice(0, 80)}": expected agent:<agentId>:<name>`)
    if (parseSessionKey(key).agentId !== ctx.agentId) {
      throw new ToolError('TOOL_FORBIDDEN', `session "${key.slice(0, 80)}" belongs to another agent`)
    }
    const entry = await ctx.sessions.get(key)
    if (entry === undefined) {
      throw new ToolError('TOOL_SESSION_NOT_FOUND', key === ctx.sessionKey ? 'the current session has no stored entry yet' : `session "${key.slice(0, 80)}" not found`)
    }
    const status = {
      ...entry,
      createdAt: new Date(entry.createdAt).toISOString(),
      updatedAt: new Date(entry.updatedAt).toISOString(),
      current: key === ctx.sessionKey
    }
    return { content: JSON.stringify(status, null, 2), details: entry }
  }
}
