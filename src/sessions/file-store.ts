/**
 * The file-backed SessionStore. Every operation on one key runs in that key's
 * queue slot: transcript first (durable), then the in-memory index, then a
 * group-committed line in the agent's index log. A crash between the two leaves
 * the transcript ahead of the index; the next load notices the unclean-shutdown
 * marker and catches up (see agent-registry.ts), and `repair()` does a full pass.
 */
import { open } from 'node:fs/promises'
import { createAgentRegistry } from './agent-registry.js'
import { SessionError, toSessionError } from '../errors/sessions.js'
import { createHandleCache } from './handle-cache.js'
import { KeyedQueue } from '../keyed-queue.js'
import { assertAgentId, parseSessionKey, sessionPaths } from './keys.js'
import { indexBytes } from './index-log.js'
import { EntryView } from './entry-view.js'
import { needleOf } from './index-strings.js'
import { decodeCursor, encodeCursor, pageOf } from './list.js'
import { cleanupSessions } from './maintenance.js'
import { applyMessages, applyPatch, normalizeMessage, normalizePatch, serializeRecord } from './records.js'
import { repairAll } from './repair.js'
import { newEntry, removeFile, retireTranscript, withTranscript, type StoreContext } from './store-context.js'
import type { SessionIndex } from './session-index.js'
import { appendLines, readHistory } from './transcript-io.js'
import type {
  FileSessionStore,
  FileSessionStoreOptions,
  SessionEntry,
  SessionHistoryOptions,
  SessionListOptions,
  SessionListResult,
  SessionWarning,
  TranscriptMessage
} from './types.js'

const DEFAULT_MAX_OPEN_FILES = 64
/** Below this much index on disk (~13,000 sessions, under 0.1 s to load) counts wait for the load. */
const SMALL_INDEX_BYTES = 4 * 1024 * 1024

/** What an operation holding a key's queue slot may use. */
interface KeyOp {
  /** Entries read from it are copies: a change counts once it is `set` and committed. */
  entries: SessionIndex
  agentId: string
  /** Persist this key's entry; resolves once a log write including the change is on disk. */
  commit(): Promise<void>
  /** Before writing an indexed session's transcript, so a crash recheck knows to look at it. */
  touch(): Promise<void>
}

export function createFileSessionStore (options: FileSessionStoreOptions): FileSessionStore {
  const clock = options.clock ?? Date.now
  const warn = (w: SessionWarning): void => {
    // A throwing observer must not turn a repaired problem into a failed operation.
    try {
      options.onWarning?.(w)
    } catch {
      /* ignored on purpose */
    }
  }
  const paths = sessionPaths(options.stateDir)
  const openFile = options.openFile ?? open
  const queue = new KeyedQueue()
  const ctx: StoreContext = {
    paths,
    clock,
    warn,
    queue,
    openFile,
    handles: createHandleCache(Math.max(1, options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES)),
    agents: createAgentRegistry({
      paths,
      clock,
      warn,
      openFile,
      ...(options.indexCompactMinLines !== undefined ? { compactMinLines: options.indexCompactMinLines } : {}),
      busyKeys: () => queue.keys(),
      onCompactError: (err) => warn({ code: 'INDEX_COMPACT_FAILED', message: `index compaction failed, will retry: ${toSessionError(err).message}` })
    })
  }
  let closed = false
  let closing: Promise<void> | undefined
  let preloading: Promise<void> | undefined
  let allLoaded = false
  let small: Promise<boolean> | undefined

  /** Validates, rejects after close, and gives every failure a SessionError code. */
  async function guarded<T> (fn: () => Promise<T>): Promise<T> {
    try {
      if (closed) throw new SessionError('SESSION_STORE_CLOSED', 'session store is closed')
      return await fn()
    } catch (err) {
      throw toSessionError(err)
    }
  }

  /** Runs `fn` in the key's queue slot with the key's agent index loaded. */
  function locked<T> (key: string, fn: (op: KeyOp) => Promise<T>): Promise<T> {
    const { agentId } = parseSessionKey(key)
    return ctx.queue.run(key, async () => {
      const agent = await ctx.agents.get(agentId)
      return fn({
        entries: agent.entries,
        agentId,
        commit: () => agent.journal.commit([key]),
        touch: () => agent.entries.has(key) ? agent.journal.touch(key) : Promise.resolve()
      })
    })
  }

  /** Creates the transcript (header on disk) before the index learns about it, so rebuilds find it. */
  async function create (entries: SessionIndex, key: string, agentId: string): Promise<SessionEntry> {
    const entry = newEntry(ctx, key, agentId)
    await withTranscript(ctx, entry, async () => undefined)
    entries.set(key, entry)
    return entry
  }

  return {
    get: (key) =>
      guarded(async () => {
        const { agentId } = parseSessionKey(key)
        return (await ctx.agents.get(agentId)).entries.get(key)
      }),

    ensure: (key) =>
      guarded(() =>
        locked(key, async ({ entries, agentId, commit }) => {
          const existing = entries.get(key)
          if (existing) return existing
          const entry = await create(entries, key, agentId)
          await commit()
          return entry
        })
      ),

    list: (opts = {}) => guarded(() => listSessions(opts)),

    patch: (key, patch) =>
      guarded(() => {
        parseSessionKey(key)
        const normalized = normalizePatch(patch)
        return locked(key, async ({ entries, commit, touch }) => {
          const entry = entries.get(key)
          if (!entry) throw new SessionError('SESSION_NOT_FOUND', `session not found: ${key}`)
          if (Object.keys(normalized).length === 0) return entry
          // Recorded in the transcript too, so a rebuilt index keeps labels and model choices.
          const line = serializeRecord({ type: 'patch', timestamp: clock(), patch: normalized })
          await touch()
          await withTranscript(ctx, entry, (t) => appendLines(t, line))
          applyPatch(entry, normalized)
          entries.set(key, entry)
          await commit()
          return entry
        })
      }),

    append: (key, messages) =>
      guarded(() => {
        parseSessionKey(key)
        if (!Array.isArray(messages)) throw new SessionError('SESSION_INVALID_MESSAGE', 'messages must be an array')
        const normalized = messages.map((m) => normalizeMessage(m))
        const lines = serializeMessages(normalized)
        return locked(key, async ({ entries, agentId, commit, touch }) => {
          await touch()
          const entry = entries.get(key) ?? (await create(entries, key, agentId))
          if (normalized.length > 0) {
            await withTranscript(ctx, entry, (t) => appendLines(t, lines))
            applyMessages(entry, normalized)
            entry.updatedAt = clock()
            entries.set(key, entry)
          }
          await commit()
          return entry
        })
      }),

    history: (key, opts = {}) =>
      guarded(() => {
        parseSessionKey(key)
        const checked = checkHistoryOptions(opts)
        return locked(key, async ({ entries, commit }) => {
          const entry = entries.get(key)
          if (!entry) return [] as TranscriptMessage[]
          const onBadLines = (count: number): void =>
            warn({ code: 'TRANSCRIPT_BAD_LINES', message: 'skipped unparsable transcript lines', agentId: entry.agentId, count })
          const countBefore = entry.messageCount
          const messages = await withTranscript(ctx, entry, (t) => readHistory(t, checked, onBadLines))
          // Opening may have found the transcript gone and zeroed the counters; persist that.
          if (entry.messageCount !== countBefore) {
            entries.set(key, entry)
            await commit()
          }
          return messages
        })
      }),

    reset: (key) =>
      guarded(() =>
        locked(key, async ({ entries, agentId, commit }) => {
          const old = entries.get(key)
          if (!old) throw new SessionError('SESSION_NOT_FOUND', `session not found: ${key}`)
          // Old file aside first: a crash after this point reads as "reset happened, nothing said yet".
          await retireTranscript(ctx, old, `.reset-${clock()}`)
          const entry = newEntry(ctx, key, agentId, old)
          await withTranscript(ctx, entry, async () => undefined)
          entries.set(key, entry)
          await commit()
          return entry
        })
      ),

    delete: (key, opts = {}) =>
      guarded(() =>
        locked(key, async ({ entries, commit }) => {
          const entry = entries.get(key)
          if (!entry) return false
          // Archive first even when deleting: the archive is what tells crash recovery a delete was under way.
          const archived = await retireTranscript(ctx, entry, `.deleted-${clock()}`)
          entries.delete(key)
          await commit()
          if (opts.deleteTranscript && archived) await removeFile(archived)
          return true
        })
      ),

    repair: () => guarded(() => repairAll(ctx)),

    preload () {
      preloading ??= guarded(async () => {
        const ids = await ctx.agents.listAgentIds()
        await Promise.all(ids.map(async (id) => await ctx.agents.get(id)))
        allLoaded = true
      })
      // A failed load is retried by the next call (and by the next operation on that agent).
      preloading.catch(() => { preloading = undefined })
      return preloading
    },

    loaded: () => allLoaded,

    smallIndex () {
      small ??= guarded(async () => await indexBytes(ctx.paths, await ctx.agents.listAgentIds()) < SMALL_INDEX_BYTES)
      return small
    },

    cleanup: (opts = {}) => guarded(() => cleanupSessions(ctx, opts, deleteForCleanup)),

    close () {
      closed = true
      closing ??= (async () => {
        await ctx.queue.drain()
        await ctx.handles.closeAll()
        await ctx.agents.closeClean()
      })()
      return closing
    }
  }

  async function listSessions (opts: SessionListOptions): Promise<SessionListResult> {
    const limit = checkCount(opts.limit, 'limit') ?? Infinity
    const offset = checkCount(opts.offset, 'offset') ?? 0
    const after = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined
    if (opts.agentId !== undefined) assertAgentId(opts.agentId)
    const agentIds = opts.agentId !== undefined ? [opts.agentId] : await ctx.agents.listAgentIds()
    const search = opts.search?.trim().toLowerCase()
    const needle = search ? needleOf(search) : undefined
    if (opts.activeMinutes !== undefined && !(typeof opts.activeMinutes === 'number' && opts.activeMinutes >= 0)) {
      throw new SessionError('SESSION_INVALID_OPTIONS', 'activeMinutes must be a non-negative number')
    }
    const activeSince = opts.activeMinutes !== undefined ? clock() - opts.activeMinutes * 60_000 : undefined
    const indexes = await Promise.all(agentIds.map(async (id) => (await ctx.agents.get(id)).entries))
    const views = new Map(indexes.map((index) => [index, new EntryView(index)]))
    const page = pageOf(indexes, {
      offset,
      limit,
      ...(after ? { after } : {}),
      match: (index, slot) => (activeSince === undefined || index.updatedAt(slot) >= activeSince) &&
        (needle === undefined || index.matches(slot, needle)) &&
        (opts.filter === undefined || opts.filter(views.get(index)!.at(slot)))
    })
    const last = page.entries[page.entries.length - 1]
    return {
      sessions: page.entries,
      total: page.total,
      ...(page.more && last ? { nextCursor: encodeCursor(last) } : {})
    }
  }

  /** Retention removes the session and its transcript, unless a write queued meanwhile made it recent again. */
  function deleteForCleanup (key: string, stillStale: (e: SessionEntry) => boolean): Promise<boolean> {
    return locked(key, async ({ entries, commit }) => {
      const entry = entries.get(key)
      if (!entry || !stillStale(entry)) return false
      const archived = await retireTranscript(ctx, entry, `.deleted-${clock()}`)
      entries.delete(key)
      await commit()
      if (archived) await removeFile(archived)
      return true
    })
  }
}

/** Serialized up front so a value JSON cannot encode (BigInt, a cycle) is the caller's error, not an I/O one. */
function serializeMessages (messages: readonly TranscriptMessage[]): string {
  try {
    return messages.map((m) => serializeRecord({ type: 'message', ...m })).join('')
  } catch (err) {
    throw new SessionError('SESSION_INVALID_MESSAGE', `message is not JSON-serializable: ${(err as Error).message}`)
  }
}

function checkCount (value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < 0) {
    throw new SessionError('SESSION_INVALID_OPTIONS', `${name} must be a non-negative integer`)
  }
  return value
}

function checkHistoryOptions (opts: SessionHistoryOptions): SessionHistoryOptions {
  return { limit: checkCount(opts.limit, 'limit'), maxBytes: checkCount(opts.maxBytes, 'maxBytes') }
}
