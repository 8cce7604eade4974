// Methods of features this gateway does not have, answered with their honest
// empty state in OpenClaw's shapes: no jobs, no tasks, no pending approvals or
// questions, no talk providers, no progress card, no branches, no update.
// OpenClaw's Control UI calls them on connect and on every chat regardless of
// features.methods, and retries (with an error banner) when they fail. They are
// not advertised: clients that check features.methods learn we lack them.
import type { FastifyInstance } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { EmptyParams } from '../../../schemas/rpc/core.js'
import {
  CronListParams, ObserverVisibilityParams, ProgressCardGetParams, SessionsBranchesListParams,
  SessionsCompanionStateParams, TalkCatalogParams, TasksListParams, UpdateStatusParams
} from '../../../schemas/rpc/empty-states.js'
import { SCOPE_ADMIN, SCOPE_APPROVALS, SCOPE_QUESTIONS, SCOPE_READ } from '../../../src/rpc/scopes.js'

const NO_TALK_PROVIDERS = { ready: false, providers: [] }

/** name → [scope (OpenClaw's), params, the empty answer]. */
const EMPTY_STATES: ReadonlyArray<[string, string, TSchema, (params: Record<string, unknown>) => unknown]> = [
  ['update.status', SCOPE_ADMIN, UpdateStatusParams, () => ({ sentinel: null, updateAvailable: null })],
  ['cron.status', SCOPE_READ, EmptyParams, () => ({ enabled: false, triggersEnabled: false, jobs: 0, nextWakeAtMs: null })],
  ['cron.list', SCOPE_READ, CronListParams, (p) => ({ jobs: [], total: 0, offset: p.offset ?? 0, limit: p.limit ?? 50, hasMore: false, nextOffset: null })],
  ['tasks.list', SCOPE_READ, TasksListParams, () => ({ tasks: [] })],
  ['exec.approval.list', SCOPE_APPROVALS, EmptyParams, () => []],
  ['plugin.approval.list', SCOPE_APPROVALS, EmptyParams, () => []],
  ['openclaw.approval.list', SCOPE_APPROVALS, EmptyParams, () => []],
  ['question.list', SCOPE_QUESTIONS, EmptyParams, () => ({ questions: [] })],
  ['talk.catalog', SCOPE_READ, TalkCatalogParams, () => ({ modes: [], transports: [], brains: [], speech: NO_TALK_PROVIDERS, transcription: NO_TALK_PROVIDERS, realtime: NO_TALK_PROVIDERS })],
  ['progressCard.get', SCOPE_READ, ProgressCardGetParams, () => ({ card: null })],
  ['sessions.branches.list', SCOPE_READ, SessionsBranchesListParams, () => ({ branches: [] })],
  ['sessions.companion.state', SCOPE_READ, SessionsCompanionStateParams, () => ({ exchanges: [] })],
  // No observer digests are produced, so the visibility a client declares changes nothing.
  ['sessions.observer.visibility', SCOPE_READ, ObserverVisibilityParams, () => ({ ok: true })]
]

/** The names, for docs and tests. */
export const EMPTY_STATE_METHODS: readonly string[] = EMPTY_STATES.map(([name]) => name)

export function registerEmptyStateMethods (app: FastifyInstance): void {
  for (const [name, scope, params, answer] of EMPTY_STATES) {
    // readOnly: none of them changes anything, so a newer client's extra params are ignored too.
    app.rpc.register(name, { scope, params, advertise: false, readOnly: true, handler: async (p) => answer(p as Record<string, unknown>) })
  }
}
