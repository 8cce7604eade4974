// Params of the sessions.* methods (contract 2.2).
import { Type } from '@sinclair/typebox'
import { Closed, NonEmptyString, Nullable, StringEnum } from '../common.js'

const OptString = Type.Optional(Type.String())
const OptBool = Type.Optional(Type.Boolean())

/** The Control UI pages its session tree with limits up to 10,000 rows. */
export const SESSIONS_LIST_MAX_LIMIT = 10_000

export const SessionsListFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: SESSIONS_LIST_MAX_LIMIT })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The previous page's `nextCursor`: stable paging while sessions are added (ours, not OpenClaw's). */
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  activeMinutes: Type.Optional(Type.Integer({ minimum: 1 })),
  activeOnly: OptBool,
  sortBy: Type.Optional(StringEnum(['updatedAt', 'lastInteractionAt', 'activity'])),
  includeGlobal: OptBool,
  includeUnknown: OptBool,
  excludeSubagents: OptBool,
  excludeCron: OptBool,
  includeDerivedTitles: OptBool,
  includeLastMessage: OptBool,
  label: OptString,
  agentId: OptString,
  search: OptString,
  archived: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('all')])),
  /** Only sessions of agents the config still has (a removed agent's sessions stay on disk). */
  configuredAgentsOnly: OptBool,
  /** Child sessions of this key; we spawn none, so the page is empty. */
  spawnedBy: Type.Optional(NonEmptyString),
  /** Owners are a multi-user notion we do not have: accepted, no effect. */
  ownerFirst: OptBool
}

export const SessionsListParams = Closed(SessionsListFields)

export const SessionsSubscribeParams = Closed({
  ...SessionsListFields,
  keys: Type.Optional(Type.Array(NonEmptyString, { maxItems: 500 }))
})

export const SessionsPreviewParams = Closed({
  keys: Type.Array(NonEmptyString, { minItems: 1, maxItems: 100 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  maxChars: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 }))
})

export const SessionsPatchParams = Closed({
  key: NonEmptyString,
  agentId: OptString,
  expectedSessionId: OptString,
  label: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  displayName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  thinkingLevel: Type.Optional(Nullable(Type.String())),
  model: Type.Optional(Nullable(Type.String())),
  archived: Type.Optional(Nullable(Type.Boolean())),
  pinned: Type.Optional(Nullable(Type.Boolean()))
})

export const SessionsResetParams = Closed({
  key: NonEmptyString,
  agentId: OptString,
  reason: Type.Optional(StringEnum(['new', 'reset'])),
  expectedSessionId: OptString
})

export const SessionsDeleteParams = Closed({
  key: NonEmptyString,
  agentId: OptString,
  deleteTranscript: OptBool,
  expectedSessionId: OptString
})

/** OpenClaw's params, plus our `dryRun`; without `agent` or `allAgents`, the default agent's sessions. */
export const SessionsCleanupParams = Closed({
  agent: OptString,
  allAgents: OptBool,
  /** Remove even when `session.maintenance.mode` is "warn". */
  enforce: OptBool,
  /** A session to keep whatever the policy says (the caller's own). */
  activeKey: Type.Optional(NonEmptyString),
  /** Report what a pass would remove without removing anything (ours). */
  dryRun: OptBool,
  /** OpenClaw store repairs we do not need (our index is rebuilt from transcripts): accepted, no effect. */
  fixMissing: OptBool,
  fixDmScope: OptBool
})

export const SessionsDescribeParams = Closed({
  key: NonEmptyString,
  agentId: Type.Optional(NonEmptyString),
  includeDerivedTitles: OptBool,
  includeLastMessage: OptBool
})

export const SessionsMessagesSubscribeParams = Closed({
  key: NonEmptyString,
  agentId: Type.Optional(NonEmptyString),
  /** Replay pending approvals too; we have none, so the replay is always empty. */
  includeApprovals: Type.Optional(Type.Literal(true))
})

export const SessionsMessagesUnsubscribeParams = Closed({
  key: NonEmptyString,
  agentId: Type.Optional(NonEmptyString)
})
