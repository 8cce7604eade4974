// sessions.list / subscribe / preview / patch / reset / delete / cleanup, with a
// `sessions.changed` event for every single-session mutation.
import type { FastifyInstance } from 'fastify'
import type { Static } from '@sinclair/typebox'
import {
  SessionsCleanupParams, SessionsDeleteParams, SessionsListParams, SessionsPatchParams, SessionsPreviewParams, SessionsResetParams, SessionsSubscribeParams
} from '../../../schemas/rpc/sessions.js'
import { resolveModelRef } from '../../../src/agents/model-resolver.js'
import { textOf } from '../../../src/agents/transcript-map.js'
import { sessionsChangedPayload, toSessionRow } from '../../../src/agents/session-rows.js'
import { RpcError } from '../../../src/errors/index.js'
import { registerAgentMethod } from './agent-method.js'
import { runCleanup } from '../../agents/maintenance.js'
import type { SessionEntry, SessionPatch } from '../../../src/sessions/index.js'

type ListParams = Static<typeof SessionsListParams>
/** What a write names: its session, and maybe the sessionId the caller last saw. */
interface WriteTarget { key: string, agentId?: string, expectedSessionId?: string }

export function registerSessionMethods (app: FastifyInstance): void {
  const row = (e: SessionEntry) => toSessionRow(e, app.agents.activeRuns(e.key).map((h) => h.runId))
  const changed = (reason: string, sessionKey: string, entry?: SessionEntry) => {
    const runIds = app.agents.activeRuns(sessionKey).map((h) => h.runId)
    app.events.publish('sessions.changed', sessionsChangedPayload(reason, sessionKey, entry, runIds, app.gateway.now()), { sessionKey })
  }
  // Filters run in the store before paging, so every page is full and `totalCount` counts what the filters keep.
  const list = async (params: ListParams) => {
    const limit = params.limit ?? 100
    const offset = params.offset ?? 0
    const catalog = app.agents.catalog()
    const filter = (e: SessionEntry) => (params.archived === 'all' || (params.archived === true ? e.archived === true : e.archived !== true)) &&
      (params.label === undefined || e.label === params.label) &&
      (params.activeOnly !== true || app.agents.activeRuns(e.key).length > 0) &&
      (params.configuredAgentsOnly !== true || catalog.get(e.agentId) !== undefined)
    // We never spawn child sessions: a spawnedBy query has nothing to find.
    const { sessions: page, total, nextCursor } = params.spawnedBy !== undefined
      ? { sessions: [], total: 0, nextCursor: undefined }
      : await app.sessions.list({
        limit,
        offset,
        filter,
        ...(params.cursor !== undefined ? { cursor: params.cursor } : {}),
        ...(params.agentId !== undefined ? { agentId: params.agentId } : {}),
        ...(params.search !== undefined ? { search: params.search } : {}),
        ...(params.activeMinutes !== undefined ? { activeMinutes: params.activeMinutes } : {})
      })
    const more = nextCursor !== undefined
    return {
      ts: app.gateway.now(),
      path: app.gateway.paths.stateDir,
      count: page.length,
      defaults: app.rpc.sessionDefaults(),
      sessions: page.map(row),
      totalCount: total,
      limitApplied: limit,
      offset,
      hasMore: more,
      ...(more && params.cursor === undefined ? { nextOffset: offset + page.length } : {}),
      ...(more ? { nextCursor } : {})
    }
  }
  // Refuse a write to a session that changed since the caller loaded it.
  const unchangedKey = async (params: WriteTarget) => {
    const key = app.agents.resolveTarget(params.agentId, params.key).sessionKey
    if (params.expectedSessionId !== undefined && (await app.sessions.get(key))?.sessionId !== params.expectedSessionId) {
      throw new RpcError('INVALID_REQUEST', 'session changed since it was loaded; reload and retry', { details: { code: 'SESSION_ID_MISMATCH' } })
    }
    return key
  }
  // Resetting or deleting a session first ends the runs still writing to it.
  const stoppedKey = async (params: WriteTarget) => {
    const key = await unchangedKey(params)
    app.agents.abort({ sessionKey: key })
    return key
  }

  registerAgentMethod(app, 'sessions.list', { scope: 'operator.read', params: SessionsListParams, handler: list })

  registerAgentMethod(app, 'sessions.subscribe', {
    scope: 'operator.read',
    params: SessionsSubscribeParams,
    handler: async (params, ctx) => {
      const { keys, ...listParams } = params
      ctx.sessions.subscribe(keys ?? 'all')
      if (Object.keys(listParams).length === 0) return { subscribed: true }
      return { subscribed: true, list: await list(listParams) }
    }
  })

  registerAgentMethod(app, 'sessions.preview', {
    scope: 'operator.read',
    params: SessionsPreviewParams,
    handler: async (params) => {
      const previews = await Promise.all(params.keys.map(async (key) => {
        const entry = await app.sessions.get(key).catch(() => undefined)
        if (entry === undefined) return { key, status: 'missing', items: [] }
        const items = (await app.sessions.history(key, { limit: params.limit ?? 5 }))
          .filter((m) => m.role === 'user' || m.role === 'assistant')
          .map((m) => ({ role: m.role, text: textOf(m.content).slice(0, params.maxChars ?? 500), timestamp: m.timestamp }))
        return { key, status: 'ok', items }
      }))
      return { ts: app.gateway.now(), previews }
    }
  })

  registerAgentMethod(app, 'sessions.patch', {
    scope: 'operator.write',
    params: SessionsPatchParams,
    handler: async (params) => {
      const key = await unchangedKey(params)
      const patch: SessionPatch = {}
      for (const field of ['label', 'displayName', 'thinkingLevel', 'model', 'archived', 'pinned'] as const) {
        if (params[field] !== undefined) (patch as Record<string, unknown>)[field] = params[field]
      }
      if (typeof patch.model === 'string') {
        // Refuse a model the gateway cannot resolve now rather than at the next turn.
        const target = resolveModelRef(app.configStore.config, patch.model)
        patch.modelProvider = target.providerId
      } else if (patch.model === null) {
        patch.modelProvider = null
      }
      await app.sessions.ensure(key)
      const entry = await app.sessions.patch(key, patch)
      changed('patch', key, entry)
      return { ok: true, key, entry: row(entry), ...(entry.model !== undefined ? { resolved: { modelProvider: entry.modelProvider, model: entry.model } } : {}) }
    }
  })

  registerAgentMethod(app, 'sessions.reset', {
    scope: 'operator.admin',
    params: SessionsResetParams,
    handler: async (params) => {
      const key = await stoppedKey(params)
      await app.sessions.ensure(key)
      const entry = await app.sessions.reset(key)
      changed(params.reason ?? 'reset', key, entry)
      return { ok: true, key, entry: row(entry) }
    }
  })

  registerAgentMethod(app, 'sessions.cleanup', {
    scope: 'operator.admin',
    params: SessionsCleanupParams,
    handler: async (params) => await runCleanup(app, {
      dryRun: params.dryRun === true,
      enforce: params.enforce === true,
      ...(params.allAgents === true && params.agent === undefined ? {} : { agentId: app.agents.resolveAgent(params.agent).id }),
      ...(params.activeKey !== undefined ? { activeKey: params.activeKey } : {})
    })
  })

  registerAgentMethod(app, 'sessions.delete', {
    scope: 'operator.write',
    params: SessionsDeleteParams,
    handler: async (params) => {
      const key = await stoppedKey(params)
      const deleted = await app.sessions.delete(key, { deleteTranscript: params.deleteTranscript === true })
      if (deleted) changed('delete', key)
      return { ok: true, key, deleted }
    }
  })
}
