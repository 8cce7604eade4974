/**
 * The session store contract. The file-backed store in `file-store.ts` is one
 * implementation; a shared store (e.g. Redis) can implement the same interface
 * so the RPC layer never learns where sessions live.
 */

export type TranscriptContentPart =
  | { type: 'text', text: string }
  | { type: 'image', mimeType: string, data?: string, url?: string }
  | { type: 'toolCall', id: string, name: string, arguments: string }
  | { type: string, [k: string]: unknown }

export type TranscriptContent = string | TranscriptContentPart[]

export type TranscriptRole = 'user' | 'assistant' | 'toolResult' | 'system'

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  totalTokens: number
}

export interface TranscriptMessage {
  id: string
  role: TranscriptRole
  content: TranscriptContent
  timestamp: number
  runId?: string
  toolCallId?: string
  toolName?: string
  isError?: boolean
  model?: string
  provider?: string
  usage?: TokenUsage
  stopReason?: string
  label?: string
  /** User messages: the channel it came in on (`webchat`, …). */
  channel?: string
}

export interface SessionEntry {
  key: string
  agentId: string
  sessionId: string
  createdAt: number
  updatedAt: number
  label?: string
  displayName?: string
  model?: string
  modelProvider?: string
  thinkingLevel?: string
  archived?: boolean
  pinned?: boolean
  messageCount: number
  inputTokens: number
  outputTokens: number
  totalTokens: number
  lastMessagePreview?: string
  /** The channel of the last user message that named one. */
  channel?: string
}

/** The user-editable fields of an entry; everything else is derived. */
export type SessionSettingsField =
  | 'label'
  | 'displayName'
  | 'model'
  | 'modelProvider'
  | 'thinkingLevel'
  | 'archived'
  | 'pinned'

export type SessionSettings = Partial<Pick<SessionEntry, SessionSettingsField>>

/** `null` clears a field; `undefined` (or absence) leaves it unchanged. */
export type SessionPatch = { [K in SessionSettingsField]?: SessionEntry[K] | null }

export interface SessionListOptions {
  agentId?: string
  limit?: number
  offset?: number
  /** Where the previous page ended (its `nextCursor`); `offset` then counts from there. */
  cursor?: string
  /** Case-insensitive substring match on key, label, displayName and the last message preview. */
  search?: string
  /** Only sessions updated within the last N minutes (by the store clock). */
  activeMinutes?: number
  /**
   * A further condition, applied before paging so pages stay full. It may be
   * given a read-only view of the live entry: read it during the call, never keep it.
   */
  filter?: (entry: Readonly<SessionEntry>) => boolean
}

export interface SessionListResult {
  sessions: SessionEntry[]
  /** Matches before paging (ignoring the cursor). */
  total: number
  /** Present when more matches follow this page. */
  nextCursor?: string
}

export interface SessionHistoryOptions {
  /** At most this many messages (the most recent ones). */
  limit?: number
  /** At most this many bytes of serialized transcript lines. */
  maxBytes?: number
}

export interface SessionDeleteOptions {
  /** Remove the transcript file; otherwise it is archived as `<id>.jsonl.deleted-<ts>`. */
  deleteTranscript?: boolean
}

export interface SessionStore {
  get(key: string): Promise<SessionEntry | undefined>
  /** Returns the entry, creating it (and its transcript) on first use. */
  ensure(key: string): Promise<SessionEntry>
  /** Sorted by updatedAt, newest first; `total` counts matches before paging. */
  list(opts?: SessionListOptions): Promise<SessionListResult>
  patch(key: string, patch: SessionPatch): Promise<SessionEntry>
  /** Resolves once the lines are durable and the index reflects them. Creates the session if needed. */
  append(key: string, messages: TranscriptMessage[]): Promise<SessionEntry>
  /** The most recent messages, oldest first. Unknown sessions have an empty history. */
  history(key: string, opts?: SessionHistoryOptions): Promise<TranscriptMessage[]>
  /** Starts a new sessionId; the old transcript stays on disk; settings carry over. */
  reset(key: string): Promise<SessionEntry>
  delete(key: string, opts?: SessionDeleteOptions): Promise<boolean>
  /** Retention: removes sessions (and their transcripts) the policy says are too old, too many or too big. */
  cleanup(opts?: CleanupOptions): Promise<CleanupReport>
  close(): Promise<void>
}

export type SessionWarningCode =
  | 'TRANSCRIPT_BAD_LINES'
  | 'TRANSCRIPT_TORN_TAIL'
  | 'TRANSCRIPT_UNREADABLE'
  | 'TRANSCRIPT_DUPLICATE_KEY'
  | 'INDEX_CORRUPT'
  | 'INDEX_REBUILT'
  | 'INDEX_REPAIRED'
  | 'INDEX_MIGRATED'
  | 'INDEX_COMPACT_FAILED'

/** Recoverable problems found on disk; the store fixes or skips them and reports here. */
export interface SessionWarning {
  code: SessionWarningCode
  message: string
  agentId?: string
  path?: string
  /** How many lines/bytes/entries were affected, when that is meaningful. */
  count?: number
}

export interface FileSessionStoreOptions {
  stateDir: string
  clock?: () => number
  onWarning?: (warning: SessionWarning) => void
  /** Upper bound on cached open transcript handles (default 64). */
  maxOpenFiles?: number
  /** Fold the index log into sessions.json once it holds this many lines (default 1000, or a quarter of the index if larger). */
  indexCompactMinLines?: number
  /** How the store opens files for writing; injectable so tests can fail a write (a full disk). */
  openFile?: typeof import('node:fs/promises').open
}

export interface RepairReport {
  agents: number
  sessions: number
  /** Index entries added, dropped or whose counters changed. */
  entriesFixed: number
  tornTails: number
  badLines: number
}

export interface FileSessionStore extends SessionStore {
  /**
   * Full consistency pass, meant for startup: truncates torn transcript tails and
   * reconciles every index with the transcripts on disk (the JSONL is the truth).
   */
  repair(): Promise<RepairReport>
  /**
   * Loads the index of every agent on disk, meant to run in the background after
   * start-up; operations arriving meanwhile wait for their agent's load.
   */
  preload(): Promise<void>
  /** True once a preload() has finished: a list or count answers without loading anything. */
  loaded(): boolean
  /**
   * Whether the index files on disk were small (under 4 MB for all agents, ~13,000 sessions) when first
   * asked: small enough to load on the spot rather than in the background. Decided once.
   */
  smallIndex(): Promise<boolean>
}

/** `session.maintenance`, resolved to numbers; an absent limit is not enforced. */
export interface MaintenancePolicy {
  /** Remove sessions idle for longer than this. */
  pruneAfterMs?: number
  /** Keep at most this many sessions per agent (the most recently active). */
  maxEntries?: number
  /** Per-agent budget for the sessions directory (transcripts and archives). */
  maxDiskBytes?: number
  /** What a disk cleanup brings usage down to (default 80% of maxDiskBytes). */
  highWaterBytes?: number
}

export interface CleanupOptions extends MaintenancePolicy {
  agentId?: string
  /** Report what would go without removing anything. */
  dryRun?: boolean
  /** Sessions never removed (a run in progress, the caller's own session). */
  protect?: (key: string) => boolean
}

export interface CleanupAgentReport {
  agentId: string
  sessionsBefore: number
  sessionsAfter: number
  /** Sessions removed for age, for count and for disk. */
  pruned: number
  capped: number
  evicted: number
  archivesRemoved: number
  /** Measured only when a disk budget is set. */
  diskBytesBefore?: number
  diskBytesAfter?: number
  /** The removed (or, dry, to-be-removed) keys, at most 200. */
  keys: string[]
}

export interface CleanupReport {
  dryRun: boolean
  agents: CleanupAgentReport[]
}
