/** `sessions_list`: the calling agent's sessions, newest first. */
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import type { SessionEntry } from '../../sessions/types.js'
import type { ToolDefinition } from '../types.js'

const DEFAULT_LIMIT = 20

const SessionsListArgs = Closed({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: `Maximum sessions to return (default ${DEFAULT_LIMIT})` })),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive match on key, label and display name' }))
})

/** The fields a model can use; token counters and previews stay in session_status. */
export function summarizeSession (e: SessionEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { key: e.key, updatedAt: new Date(e.updatedAt).toISOString(), messageCount: e.messageCount }
  if (e.label !== undefined) out.label = e.label
  if (e.displayName !== undefined) out.displayName = e.displayName
  if (e.model !== undefined) out.model = e.model
  if (e.archived === true) out.archived = true
  return out
}

export const sessionsListTool: ToolDefinition<typeof SessionsListArgs> = {
  name: 'sessions_list',
  description: "List this agent's sessions (most recently active first), optionally filtered by a search string.",
  parameters: SessionsListArgs,
  async execute (args, ctx) {
    const { sessions, total } = await ctx.sessions.list({
      // Always scoped to the caller: an agent never sees another agent's sessions.
      agentId: ctx.agentId,
      limit: args.limit ?? DEFAULT_LIMIT,
      ...(args.search !== undefined && args.search !== '' ? { search: args.search } : {})
    })
    const payload = { total, sessions: sessions.map(summarizeSession) }
    return { content: JSON.stringify(payload, null, 2), details: payload }
  }
}
