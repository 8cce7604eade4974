// The Control UI / TUI chat entry points: chat.send (ack, then `chat`
// events), chat.history, chat.abort and chat.inject.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { ChatAbortParams, ChatHistoryParams, ChatInjectParams, ChatSendParams } from '../../../schemas/rpc/agent.js'
import { attachmentLimits, attachmentParts, userContent } from '../../../src/agents/attachments.js'
import { toRpcError, withRpcErrors } from '../../../src/agents/rpc-errors.js'
import { sessionMessagePayload, sessionsChangedPayload, toSessionRow, withTranscriptMeta } from '../../../src/agents/session-rows.js'
import type { TranscriptMessage } from '../../../src/sessions/index.js'
import type { AgentInfo } from '../../../src/agents/catalog.js'
import { resolveModelRef } from '../../../src/agents/model-resolver.js'
import { RpcError } from '../../../src/errors/index.js'
import type { SystemEvents } from '../../agents/system-events.js'

const HISTORY_MAX_BYTES = 6_291_456
const NO_PENDING_INPUTS = Object.freeze({ items: [], total: 0 })

export function registerChatMethods (app: FastifyInstance, systemEvents: SystemEvents): void {
  app.rpc.register('chat.send', {
    scope: 'operator.write',
    params: ChatSendParams,
    idempotent: true,
    handler: withRpcErrors('chat.send', async (params) => {
      const { agent, sessionKey } = app.agents.resolveTarget(params.agentId, params.sessionKey)
      const parts = attachmentParts(params.attachments ?? [], attachmentLimits(app.configStore.config.agents?.defaults?.mediaMaxMb))
      if (params.message.trim() === '' && parts.length === 0) throw new RpcError('INVALID_REQUEST', 'invalid chat.send params: message must not be empty')
      const entry = await app.sessions.get(sessionKey)
      const interrupted = params.queueMode === 'interrupt' ? app.agents.abort({ sessionKey }) : []
      const handle = app.agents.start({
        runId: params.idempotencyKey,
        agentId: agent.id,
        sessionKey,
        source: 'chat',
        input: [...systemEvents.drain(sessionKey), { role: 'user', content: userContent(params.message, parts) }],
        ...(entry?.model !== undefined ? { modelOverride: entry.model } : {}),
        ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {})
      })
      return { runId: handle.runId, status: 'started', ...(interrupted.length > 0 ? { interruptedActiveRun: true } : {}) }
    })
  })

  app.rpc.register('chat.history', {
    scope: 'operator.read',
    params: ChatHistoryParams,
    handler: withRpcErrors('chat.history', async (params) => await readChatHistory(app, params))
  })

  app.rpc.register('chat.abort', {
    scope: 'operator.write',
    params: ChatAbortParams,
    handler: async (params) => {
      const { sessionKey } = target(app, params.agentId, params.sessionKey)
      const runIds = app.agents.abort({ sessionKey, ...(params.runId !== undefined ? { runId: params.runId } : {}) })
      return { ok: true, aborted: runIds.length > 0, runIds }
    }
  })

  app.rpc.register('chat.inject', {
    scope: 'operator.admin',
    params: ChatInjectParams,
    handler: withRpcErrors('chat.inject', async (params) => {
      const { sessionKey } = app.agents.resolveTarget(params.agentId, params.sessionKey)
      const note: TranscriptMessage = {
        id: randomUUID(),
        role: 'assistant',
        content: [{ type: 'text', text: params.message }],
        timestamp: app.gateway.now(),
        ...(params.label !== undefined ? { label: params.label } : {})
      }
      const entry = await app.sessions.append(sessionKey, [note])
      const runIds = app.agents.activeRuns(sessionKey).map((h) => h.runId)
      app.events.publish('session.message', sessionMessagePayload(note, entry.messageCount, entry, runIds), { sessionKey })
      app.events.publish('sessions.changed', sessionsChangedPayload('inject', sessionKey, entry, runIds, app.gateway.now()), { sessionKey })
      return { ok: true, messageId: note.id }
    })
  })
}

/** chat.history's answer (chat.startup adds the metadata): the newest messages within the limits, and the session. */
export async function readChatHistory (app: FastifyInstance, params: ChatHistoryParams) {
  const { agent, sessionKey } = app.agents.resolveTarget(params.agentId, params.sessionKey)
  const entry = await app.sessions.get(sessionKey)
  const maxBytes = Math.min(params.maxBytes ?? HISTORY_MAX_BYTES, HISTORY_MAX_BYTES)
  const records = await app.sessions.history(sessionKey, { limit: params.limit ?? 200, maxBytes })
  const first = (entry?.messageCount ?? records.length) - records.length + 1
  const messages = records.map((m, i) => withTranscriptMeta({ ...m, content: clip(m.content, params.maxChars) as TranscriptMessage['content'] }, first + i))
  const active = app.agents.activeRuns(sessionKey)
  return {
    sessionKey,
    ...(entry !== undefined ? { sessionId: entry.sessionId } : {}),
    messages,
    totalMessages: entry?.messageCount ?? 0,
    hasMore: (entry?.messageCount ?? 0) > messages.length,
    defaults: { ...app.rpc.sessionDefaults(), ...modelDefaults(app, agent) },
    sessionInfo: entry !== undefined ? toSessionRow(entry, active.map((h) => h.runId)) : null,
    ...(entry?.thinkingLevel !== undefined ? { thinkingLevel: entry.thinkingLevel } : {}),
    // We queue no input outside runs: nothing is ever pending.
    pendingInputs: NO_PENDING_INPUTS,
    ...(active.length > 0 ? { inFlightRun: { runId: active[0]!.runId } } : {})
  }
}

/** The agent's primary model as OpenClaw's history `defaults` name it (the UI's "Default model"). */
function modelDefaults (app: FastifyInstance, agent: AgentInfo): Record<string, unknown> {
  const primary = agent.model.primary
  if (primary === undefined) return {}
  const config = app.configStore.config
  try {
    const t = resolveModelRef(config, primary)
    const window = config.models?.providers?.[t.providerId]?.models?.find((m) => m.id === t.model)?.contextWindow
    return { modelProvider: t.providerId, model: t.model, contextTokens: window ?? null }
  } catch {
    return {}
  }
}

function target (app: FastifyInstance, agentId: string | undefined, sessionKey: string) {
  try { return app.agents.resolveTarget(agentId, sessionKey) } catch (err) { throw toRpcError(err, 'chat.abort') }
}

function clip (content: unknown, maxChars: number | undefined): unknown {
  if (maxChars === undefined) return content
  if (typeof content === 'string') return content.length > maxChars ? `${content.slice(0, maxChars)}…` : content
  if (!Array.isArray(content)) return content
  return content.map((p: { type?: string, text?: string }) => (p.type === 'text' && typeof p.text === 'string' && p.text.length > maxChars ? { ...p, text: `${p.text.slice(0, maxChars)}…` } : p))
}
