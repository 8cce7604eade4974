/**
 * The JSONL record format. Line 1 is a `session` header, then `message` and
 * `patch` records. Together they hold everything an index entry is derived
 * from, which is what lets the index be rebuilt from transcripts alone.
 */
import { SessionError } from '../errors/sessions.js'
import type {
  SessionEntry,
  SessionPatch,
  SessionSettings,
  SessionSettingsField,
  TranscriptMessage,
  TranscriptRole
} from './types.js'

export interface HeaderRecord {
  type: 'session'
  version: 1
  key: string
  sessionId: string
  agentId: string
  createdAt: number
  /** Settings carried over from a previous sessionId by reset(). */
  settings?: SessionSettings
}

export interface PatchRecord {
  type: 'patch'
  timestamp: number
  patch: SessionPatch
}

export type TranscriptRecord = HeaderRecord | PatchRecord | ({ type: 'message' } & TranscriptMessage)

const ROLES: ReadonlySet<string> = new Set<TranscriptRole>(['user', 'assistant', 'toolResult', 'system'])
const STRING_SETTINGS = ['label', 'displayName', 'model', 'modelProvider', 'thinkingLevel'] as const
const BOOLEAN_SETTINGS = ['archived', 'pinned'] as const
export const SETTINGS_FIELDS: readonly SessionSettingsField[] = [...STRING_SETTINGS, ...BOOLEAN_SETTINGS]
const OPTIONAL_STRINGS = ['runId', 'toolCallId', 'toolName', 'model', 'provider', 'stopReason', 'label', 'channel'] as const
const PREVIEW_CHARS = 160

export function serializeRecord (record: TranscriptRecord): string {
  return `${JSON.stringify(record)}\n`
}

/** Throws SESSION_INVALID_MESSAGE; returns a copy holding only the fields we define. */
export function normalizeMessage (input: unknown): TranscriptMessage {
  const problem = describeMessageProblem(input)
  if (problem) throw new SessionError('SESSION_INVALID_MESSAGE', `invalid transcript message: ${problem}`)
  const m = input as TranscriptMessage
  const out: TranscriptMessage = { id: m.id, role: m.role, content: m.content, timestamp: m.timestamp }
  for (const field of OPTIONAL_STRINGS) if (m[field] !== undefined) out[field] = m[field]
  if (m.isError !== undefined) out.isError = m.isError
  if (m.usage !== undefined) {
    out.usage = { inputTokens: m.usage.inputTokens, outputTokens: m.usage.outputTokens, totalTokens: m.usage.totalTokens }
  }
  return out
}

function describeMessageProblem (input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return 'not an object'
  const m = input as Record<string, unknown>
  if (typeof m.id !== 'string' || m.id === '') return 'id must be a non-empty string'
  if (typeof m.role !== 'string' || !ROLES.has(m.role)) return 'role must be user, assistant, toolResult or system'
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp)) return 'timestamp must be a finite number'
  if (!isContent(m.content)) return 'content must be a string or an array of typed parts'
  for (const field of OPTIONAL_STRINGS) {
    if (m[field] !== undefined && typeof m[field] !== 'string') return `${field} must be a string`
  }
  if (m.isError !== undefined && typeof m.isError !== 'boolean') return 'isError must be a boolean'
  if (m.usage !== undefined && !isUsage(m.usage)) return 'usage must hold finite inputTokens, outputTokens and totalTokens'
  return undefined
}

function isContent (content: unknown): boolean {
  if (typeof content === 'string') return true
  return (
    Array.isArray(content) &&
    content.every((part) => typeof part === 'object' && part !== null && typeof (part as { type?: unknown }).type === 'string')
  )
}

function isUsage (usage: unknown): boolean {
  if (typeof usage !== 'object' || usage === null) return false
  const u = usage as Record<string, unknown>
  return ['inputTokens', 'outputTokens', 'totalTokens'].every((f) => typeof u[f] === 'number' && Number.isFinite(u[f]))
}

/** Throws SESSION_INVALID_PATCH; returns only the known fields that are present. */
export function normalizePatch (input: unknown): SessionPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SessionError('SESSION_INVALID_PATCH', 'patch must be an object')
  }
  const p = input as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of SETTINGS_FIELDS) {
    const value = p[field]
    if (value === undefined) continue
    const expected = (BOOLEAN_SETTINGS as readonly string[]).includes(field) ? 'boolean' : 'string'
    const typeOk = expected === 'boolean' ? typeof value === 'boolean' : typeof value === 'string'
    if (value !== null && !typeOk) {
      throw new SessionError('SESSION_INVALID_PATCH', `patch field ${field} must be a ${expected} or null`)
    }
    out[field] = value
  }
  return out as SessionPatch
}

/** Applies a patch in place: null deletes the field. */
export function applyPatch (target: SessionSettings, patch: SessionPatch): void {
  const t = target as Record<string, unknown>
  for (const field of SETTINGS_FIELDS) {
    const value = patch[field]
    if (value === undefined) continue
    if (value === null) delete t[field]
    else t[field] = value
  }
}

export function pickSettings (entry: SessionSettings): SessionSettings {
  const out: SessionSettings = {}
  applyPatch(out, entry as SessionPatch)
  return out
}

/** Folds messages into an entry's counters and preview, in place. */
export function applyMessages (entry: SessionEntry, messages: readonly TranscriptMessage[]): void {
  for (const m of messages) {
    entry.messageCount += 1
    if (m.usage) {
      entry.inputTokens += m.usage.inputTokens
      entry.outputTokens += m.usage.outputTokens
      entry.totalTokens += m.usage.totalTokens
    }
    const preview = previewOf(m)
    if (preview !== undefined) entry.lastMessagePreview = preview
    if (m.channel !== undefined) entry.channel = m.channel
  }
}

/** Tool chatter would make a poor list preview, so only user and assistant text counts. */
function previewOf (m: TranscriptMessage): string | undefined {
  if (m.role !== 'user' && m.role !== 'assistant') return undefined
  const text =
    typeof m.content === 'string'
      ? m.content
      : m.content
        .filter((p): p is { type: 'text', text: string } => p.type === 'text' && typeof p.text === 'string')
        .map((p) => p.text)
        .join(' ')
  const collapsed = text.replace(/\s+/g, ' ').trim()
  if (collapsed === '') return undefined
  return collapsed.length > PREVIEW_CHARS ? `${collapsed.slice(0, PREVIEW_CHARS - 1)}…` : collapsed
}

/** Parses one line; undefined means unparsable or not one of our record shapes. */
export function parseRecord (line: string): TranscriptRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const r = value as Record<string, unknown>
  switch (r.type) {
    case 'message':
      return describeMessageProblem(r) === undefined ? (r as unknown as TranscriptRecord) : undefined
    case 'session':
      return typeof r.key === 'string' && typeof r.sessionId === 'string' && typeof r.createdAt === 'number'
        ? (r as unknown as HeaderRecord)
        : undefined
    case 'patch':
      return typeof r.patch === 'object' && r.patch !== null && typeof r.timestamp === 'number'
        ? (r as unknown as PatchRecord)
        : undefined
    default:
      return undefined
  }
}

export function messageFromRecord (record: { type: 'message' } & TranscriptMessage): TranscriptMessage {
  const { type: _type, ...message } = record
  return message
}
