// What OpenClaw's Control UI asks for when it opens a chat: chat.startup
// (history and metadata in one answer), chat.metadata (and the
// `chat.metadata.changed` nudge after a config change), sessions.describe and
// the per-session `session.message` feed (sessions.messages.subscribe).
import type { FastifyInstance } from 'fastify'
import { ChatMetadataParams, ChatStartupParams } from '../../../schemas/rpc/agent.js'
import { SessionsDescribeParams, SessionsMessagesSubscribeParams, SessionsMessagesUnsubscribeParams } from '../../../schemas/rpc/sessions.js'
import { withRpcErrors } from '../../../src/agents/rpc-errors.js'
import { toSessionRow } from '../../../src/agents/session-rows.js'
import { RpcError } from '../../../src/errors.js'
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
  const target = (agentId: string | undefined, key: string) => app.agents.resolveTarget(agentId, key)

  app.rpc.register('chat.startup', {
    scope: 'operator.read',
    params: ChatStartupParams,
    handler: withRpcErrors('chat.startup', async (params) => {
      // Short chat links are never issued here, so one can only be missing.
      if (!('sessionKey' in params)) return { resolution: { ok: false } }
      const history = await readChatHistory(app, params)
      return { ...history, metadata: metadata(history.sessionKey) }
    })
  })

  app.rpc.register('chat.metadata', {
    scope: 'operator.read',
    params: ChatMetadataParams,
    handler: withRpcErrors('chat.metadata', async (params) => {
      if (params.sessionKey !== undefined && params.authProfileId !== undefined) {
        throw new RpcError('INVALID_REQUEST', 'invalid chat.metadata params: sessionKey and authProfileId are exclusive')
      }
      // Resolving validates the agent id (UNKNOWN_AGENT_ID) and the key.
      if (params.sessionKey !== undefined) return metadata(target(params.agentId, params.sessionKey).sessionKey)
      app.agents.resolveAgent(params.agentId)
      return metadata(undefined)
    })
  })

  app.rpc.register('sessions.describe', {
    scope: 'operator.read',
    params: SessionsDescribeParams,
    handler: withRpcErrors('sessions.describe', async (params) => {
      const { sessionKey } = target(params.agentId, params.key)
      const entry = await app.sessions.get(sessionKey)
      const session = entry === undefined ? null : toSessionRow(entry, app.agents.activeRuns(sessionKey).map((h) => h.runId))
      return { session }
    })
  })

  app.rpc.register('sessions.messages.subscribe', {
    scope: 'operator.read',
    params: SessionsMessagesSubscribeParams,
    handler: withRpcErrors('sessions.messages.subscribe', async (params, ctx) => {
      const { sessionKey } = target(params.agentId, params.key)
      ctx.sessions.subscribeMessages(sessionKey)
      // We hold no approvals, so the replay the caller asked for is empty (OpenClaw's shape).
      const approvalReplay = { sessionKey, updatedAtMs: app.gateway.now(), approvals: [], truncated: false }
      return { subscribed: true, key: sessionKey, ...(params.includeApprovals === true ? { approvalReplay } : {}) }
    })
  })

  app.rpc.register('sessions.messages.unsubscribe', {
    scope: 'operator.read',
    params: SessionsMessagesUnsubscribeParams,
    handler: withRpcErrors('sessions.messages.unsubscribe', async (params, ctx) => {
      const { sessionKey } = target(params.agentId, params.key)
      ctx.sessions.unsubscribeMessages(sessionKey)
      return { subscribed: false, key: sessionKey }
    })
  })

  // Models and agents come from the config: a reload may change what a chat can pick.
  const onConfigChange = () => { app.events.publish('chat.metadata.changed', {}, { dropIfSlow: true }) }
  app.configStore.on('change', onConfigChange)
  app.addHook('onClose', async () => { app.configStore.off('change', onConfigChange) })
}
