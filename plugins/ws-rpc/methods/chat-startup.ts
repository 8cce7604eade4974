// What OpenClaw's Control UI asks for when it opens a chat: chat.startup
// (history and metadata in one answer), chat.metadata (and the
// `chat.metadata.changed` nudge after a config change), sessions.describe and
// the per-session `session.message` feed (sessions.messages.subscribe).
import type { FastifyInstance } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { ChatMetadataParams, ChatStartupParams } from '../../../schemas/rpc/agent.js'
import { SessionsDescribeParams, SessionsMessagesSubscribeParams, SessionsMessagesUnsubscribeParams } from '../../../schemas/rpc/sessions.js'
import { toSessionRow } from '../../../src/agents/session-rows.js'
import { RpcError } from '../../../src/errors/index.js'
import { SCOPE_READ } from '../../../src/rpc/scopes.js'
import type { MethodDefinition } from '../../../src/rpc/types.js'
import { registerAgentMethod } from './agent-method.js'
import { listModels } from './catalog.js'
import { readChatHistory } from './chat.js'

/** One shared account selection: we have no per-user model accounts. */
const AUTOMATIC_ACCOUNT = Object.freeze({ kind: 'automatic', label: 'Automatic account selection' })

export function registerChatStartupMethods (app: FastifyInstance): void {
  const metadata = (sessionKey: string | undefined) => ({
    models: listModels(app),
    swarmEnabled: false,
    accountSelection: AUTOMATIC_ACCOUNT,
    // A session may always switch models (sessions.patch): nothing locks its runtime.
    ...(sessionKey !== undefined ? { runtimeSelectionLocked: false } : {})
  })
  const sessionKeyOf = (params: { agentId?: string, key: string }) => app.agents.resolveTarget(params.agentId, params.key).sessionKey
  // Everything a chat opens with only reads.
  const read = <P extends TSchema>(name: string, params: P, handler: MethodDefinition<P>['handler']) => {
    registerAgentMethod(app, name, { scope: SCOPE_READ, params, handler })
  }

  read('chat.startup', ChatStartupParams, async (params) => {
    // Short chat links are never issued here, so one can only be missing.
    if (!('sessionKey' in params)) return { resolution: { ok: false } }
    const history = await readChatHistory(app, params)
    return { ...history, metadata: metadata(history.sessionKey) }
  })

  read('chat.metadata', ChatMetadataParams, async (params) => {
    if (params.sessionKey !== undefined && params.authProfileId !== undefined) {
      throw new RpcError('INVALID_REQUEST', 'invalid chat.metadata params: sessionKey and authProfileId are exclusive')
    }
    // Resolving validates the agent id (UNKNOWN_AGENT_ID) and the key.
    if (params.sessionKey !== undefined) return metadata(app.agents.resolveTarget(params.agentId, params.sessionKey).sessionKey)
    app.agents.resolveAgent(params.agentId)
    return metadata(undefined)
  })

  read('sessions.describe', SessionsDescribeParams, async (params) => {
    const sessionKey = sessionKeyOf(params)
    const entry = await app.sessions.get(sessionKey)
    const session = entry === undefined ? null : toSessionRow(entry, app.agents.activeRuns(sessionKey).map((h) => h.runId))
    return { session }
  })

  read('sessions.messages.subscribe', SessionsMessagesSubscribeParams, async (params, ctx) => {
    const sessionKey = sessionKeyOf(params)
    ctx.sessions.subscribeMessages(sessionKey)
    // We hold no approvals, so the replay the caller asked for is empty (OpenClaw's shape).
    const approvalReplay = { sessionKey, updatedAtMs: app.gateway.now(), approvals: [], truncated: false }
    return { subscribed: true, key: sessionKey, ...(params.includeApprovals === true ? { approvalReplay } : {}) }
  })

  read('sessions.messages.unsubscribe', SessionsMessagesUnsubscribeParams, async (params, ctx) => {
    const sessionKey = sessionKeyOf(params)
    ctx.sessions.unsubscribeMessages(sessionKey)
    return { subscribed: false, key: sessionKey }
  })

  // Models and agents come from the config: a reload may change what a chat can pick.
  const onConfigChange = () => { app.events.publish('chat.metadata.changed', {}, { dropIfSlow: true }) }
  app.configStore.on('change', onConfigChange)
  app.addHook('onClose', async () => { app.configStore.off('change', onConfigChange) })
}
