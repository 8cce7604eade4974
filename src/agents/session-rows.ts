// Session index entries as the SessionRow shape clients render (contract 2.2).
import type { SessionEntry, TranscriptMessage } from '../sessions/index.js'

export interface SessionRow {
  key: string
  sessionId: string
  agentId: string
  kind: 'direct'
  label?: string
  displayName?: string
  updatedAt: number | null
  model?: string
  modelProvider?: string
  thinkingLevel?: string
  inputTokens: number
  outputTokens: number
  totalTokens: number
  messageCount: number
  lastMessagePreview?: string
  hasActiveRun: boolean
  activeRunIds: string[] | null
  archived?: boolean
  pinned?: boolean
  /** The channel of the last user message that named one. */
  channel?: string
}

export function toSessionRow (e: SessionEntry, activeRunIds: string[]): SessionRow {
  const row: SessionRow = {
    key: e.key,
    sessionId: e.sessionId,
    agentId: e.agentId,
    kind: 'direct',
    updatedAt: e.updatedAt,
    inputTokens: e.inputTokens,
    outputTokens: e.outputTokens,
    totalTokens: e.totalTokens,
    messageCount: e.messageCount,
    hasActiveRun: activeRunIds.length > 0,
    activeRunIds: activeRunIds.length > 0 ? activeRunIds : null
  }
  if (e.label !== undefined) row.label = e.label
  if (e.displayName !== undefined) row.displayName = e.displayName
  if (e.model !== undefined) row.model = e.model
  if (e.modelProvider !== undefined) row.modelProvider = e.modelProvider
  if (e.thinkingLevel !== undefined) row.thinkingLevel = e.thinkingLevel
  if (e.lastMessagePreview !== undefined) row.lastMessagePreview = e.lastMessagePreview
  if (e.archived !== undefined) row.archived = e.archived
  if (e.pinned !== undefined) row.pinned = e.pinned
  if (e.channel !== undefined) row.channel = e.channel
  return row
}

/** The session fields OpenClaw repeats at the top level of `sessions.changed` and `session.message`. */
function sessionSnapshot (e: SessionEntry, activeRunIds: string[]) {
  const session = toSessionRow(e, activeRunIds)
  return { session, sessionId: e.sessionId, updatedAt: e.updatedAt, kind: session.kind, archived: e.archived ?? false, pinned: e.pinned ?? false, hasActiveRun: session.hasActiveRun, activeRunIds: session.activeRunIds }
}

/** A `sessions.changed` payload; without an entry (not on disk yet, or deleted) only the key and reason. */
export function sessionsChangedPayload (reason: string, sessionKey: string, entry: SessionEntry | undefined, activeRunIds: string[], ts: number): Record<string, unknown> {
  const base = { sessionKey, ...(entry !== undefined ? { agentId: entry.agentId } : {}), reason, ts }
  return entry === undefined ? base : { ...base, ...sessionSnapshot(entry, activeRunIds) }
}

/**
 * `session.message` for one transcript record: the record as chat.history returns it plus
 * `__openclaw` ({ id, seq, idempotencyKey? }), its position in the session and the session row.
 */
export function sessionMessagePayload (record: TranscriptMessage, seq: number, entry: SessionEntry, activeRunIds: string[]): Record<string, unknown> {
  return {
    sessionKey: entry.key,
    agentId: entry.agentId,
    message: withTranscriptMeta(record, seq),
    messageId: record.id,
    messageSeq: seq,
    ...sessionSnapshot(entry, activeRunIds),
    ...(record.runId !== undefined ? { runId: record.runId } : {})
  }
}

/**
 * A transcript record with OpenClaw's `__openclaw` meta: its id (clients match history rows and
 * live `session.message` rows by it), its 1-based position, and for a user message the idempotency
 * key of the chat.send / agent call that wrote it (the run id is that key).
 */
export function withTranscriptMeta<T extends TranscriptMessage> (record: T, seq: number): T & { __openclaw: Record<string, unknown> } {
  const idempotencyKey = record.role === 'user' && record.runId !== undefined ? { idempotencyKey: record.runId } : {}
  return { ...record, __openclaw: { id: record.id, seq, ...idempotencyKey } }
}
