// Session index entries as the SessionRow shape clients render (contract 2.2).
import type { SessionEntry } from '../sessions/index.js'

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
