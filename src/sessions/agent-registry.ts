/**
 * Loads each agent's index once, on first use (snapshot + log replay), and
 * owns its journal. A missing or corrupt index is rebuilt from the transcripts
 * here, before any operation on that agent can touch its files.
 *
 * Unclean shutdowns are detected with a marker file written before this process
 * first writes an agent's files and removed by a clean close(). If a load finds
 * the marker, the previous process may have died between a transcript write and
 * its log line, so the keys the logs name and transcripts the index lacks are rechecked.
 */
import { copyFile, open, readdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { ensurePrivateDir, FILE_MODE, isErrno, removeDurably, syncDir } from './fs-util.js'
import { readIndex } from './index-file.js'
import { createIndexJournal, type IndexJournal } from './index-journal.js'
import { LOG_FILE, replayLog, ROTATED_LOG_FILE } from './index-log.js'
import { isAgentId, type SessionPaths } from './keys.js'
import { refreshEntries } from './rebuild.js'
import { SessionIndex } from './session-index.js'
import type { SessionWarning } from './types.js'

const DIRTY_MARKER = 'sessions.dirty'

export interface AgentState {
  agentId: string
  /** The live index; change it only while holding the key's queue slot, then `commit` the key. */
  entries: SessionIndex
  journal: IndexJournal
}

export interface AgentRegistryOptions {
  paths: SessionPaths
  clock: () => number
  warn: (w: SessionWarning) => void
  openFile: typeof open
  compactMinLines?: number
  busyKeys: () => Iterable<string>
  onCompactError: (err: unknown) => void
}

export interface AgentRegistry {
  get(agentId: string): Promise<AgentState>
  /** Call before writing any file of the agent; cheap after the first time. */
  markDirty(agentId: string): Promise<void>
  /** A write failed in a way that may leave index and transcripts apart: keep the marker. */
  markSuspect(agentId: string): void
  /** Agent ids with a directory on disk or loaded in memory. */
  listAgentIds(): Promise<string[]>
  /** Agents loaded so far. */
  loadedIds(): string[]
  /** Waits for pending index writes, then removes the dirty markers of agents that stayed consistent. */
  closeClean(): Promise<void>
}

interface LogState { kind: 'ok', bytes: number, lines: number, any: boolean, rotated: boolean }

export function createAgentRegistry (o: AgentRegistryOptions): AgentRegistry {
  const { paths, clock, warn } = o
  const loaded = new Map<string, Promise<AgentState>>()
  const dirty = new Map<string, Promise<void>>()
  const suspect = new Set<string>()
  const markerFile = (agentId: string): string => path.join(paths.sessionsDir(agentId), DIRTY_MARKER)

  /** Replays the rotated log (if a compaction was interrupted), then the live one; torn tails are cut. */
  async function replayLogs (agentId: string, entries: SessionIndex, named: Set<string>): Promise<LogState | { kind: 'corrupt', reason: string, file: string }> {
    const dir = paths.sessionsDir(agentId)
    const state: LogState = { kind: 'ok', bytes: 0, lines: 0, any: false, rotated: false }
    for (const name of [ROTATED_LOG_FILE, LOG_FILE]) {
      const file = path.join(dir, name)
      const handle = await open(file, 'r+').catch((err: unknown) => { if (isErrno(err, 'ENOENT')) return undefined; throw err })
      if (!handle) continue
      try {
        const r = await replayLog(handle, entries, named)
        if (r.kind === 'corrupt') return { ...r, file }
        if (r.validBytes < r.size) {
          await handle.truncate(r.validBytes)
          await handle.datasync()
          warn({ code: 'INDEX_REPAIRED', message: 'truncated a partial last line of the index log', agentId, path: file, count: r.size - r.validBytes })
        }
        state.any = true
        if (name === ROTATED_LOG_FILE) state.rotated = true
        else Object.assign(state, { bytes: r.validBytes, lines: r.lines })
      } finally {
        await handle.close()
      }
    }
    return state
  }

  async function load (agentId: string): Promise<AgentState> {
    const dir = paths.sessionsDir(agentId)
    const file = paths.indexFile(agentId)
    const snapshot = await readIndex(file, o.openFile)
    const entries = snapshot.kind === 'ok' ? snapshot.entries : new SessionIndex()
    const named = new Set<string>()
    let logs = await replayLogs(agentId, entries, named)
    const marker = await stat(markerFile(agentId)).catch(() => undefined)
    // The previous owner's marker becomes ours: it goes away only when we close cleanly.
    if (marker) dirty.set(agentId, Promise.resolve())

    let corrupt: { reason: string, file: string } | undefined
    if (snapshot.kind === 'corrupt') corrupt = { reason: snapshot.reason, file }
    else if (logs.kind === 'corrupt') corrupt = logs
    else if (snapshot.kind === 'missing' && logs.any) corrupt = { reason: 'sessions.json is missing but its log is not', file }
    if (corrupt) {
      warn({ code: 'INDEX_CORRUPT', message: `session index unreadable (${corrupt.reason}); rebuilding`, agentId, path: corrupt.file })
      // Keep the bad file for inspection instead of overwriting the evidence.
      await rename(corrupt.file, `${corrupt.file}.corrupt-${clock()}`).catch(() => undefined)
      entries.clear()
      logs = { kind: 'ok', bytes: 0, lines: 0, any: true, rotated: false }
    }
    const okLogs = logs as LogState
    const state: AgentState = {
      agentId,
      entries,
      journal: createIndexJournal({
        agentId,
        dir,
        indexFile: file,
        entries,
        touched: named,
        logBytes: okLogs.bytes,
        logLines: okLogs.lines,
        snapshotExists: snapshot.kind === 'ok' && !corrupt,
        rotatedExists: okLogs.rotated,
        openFile: o.openFile,
        ...(o.compactMinLines !== undefined ? { compactMinLines: o.compactMinLines } : {}),
        busyKeys: o.busyKeys,
        onWriteError: () => { suspect.add(agentId) },
        onCompactError: o.onCompactError
      })
    }
    if (snapshot.kind !== 'ok' || corrupt) {
      const changed = await refreshEntries(dir, agentId, entries, warn)
      if (corrupt || changed.length > 0) {
        warn({ code: 'INDEX_REBUILT', message: 'session index rebuilt from transcripts', agentId, path: file, count: changed.length })
        await ensurePrivateDir(dir)
        await state.journal.compact({ discardLogs: true })
      }
    } else {
      if (snapshot.legacy) await migrate(agentId, state)
      if (marker) {
        // An index from before the log names no keys: recheck everything once.
        const changed = await refreshEntries(dir, agentId, entries, warn, snapshot.legacy ? undefined : named)
        if (changed.length > 0) {
          warn({ code: 'INDEX_REPAIRED', message: 'unclean shutdown: index caught up with transcripts', agentId, path: file, count: changed.length })
          await state.journal.commit(changed)
        }
      }
      // A compaction the last process did not finish: finish it now, in the background.
      if (okLogs.rotated) state.journal.compact().catch(o.onCompactError)
    }
    return state
  }

  /** An index in the older whole-object layout: keep a copy, then rewrite it one entry per line. */
  async function migrate (agentId: string, state: AgentState): Promise<void> {
    const file = paths.indexFile(agentId)
    const backup = `${file}.bak-${clock()}`
    await copyFile(file, backup)
    await state.journal.compact()
    warn({ code: 'INDEX_MIGRATED', message: `session index rewritten in the line layout; the old file is kept as ${path.basename(backup)}`, agentId, path: file, count: state.entries.size })
  }

  async function writeMarker (agentId: string): Promise<void> {
    const dir = paths.sessionsDir(agentId)
    await ensurePrivateDir(dir)
    const handle = await open(path.join(dir, DIRTY_MARKER), 'w', FILE_MODE)
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await syncDir(dir)
  }

  return {
    get (agentId) {
      return startOnce(loaded, agentId, load)
    },

    markDirty (agentId) {
      return startOnce(dirty, agentId, writeMarker)
    },

    markSuspect (agentId) {
      suspect.add(agentId)
    },

    async listAgentIds () {
      const ids = new Set<string>(loaded.keys())
      try {
        for (const dirent of await readdir(paths.agentsDir, { withFileTypes: true })) {
          if (dirent.isDirectory() && isAgentId(dirent.name)) ids.add(dirent.name)
        }
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err
      }
      return [...ids].sort()
    },

    loadedIds () {
      return [...loaded.keys()]
    },

    async closeClean () {
      const states = await Promise.allSettled(loaded.values())
      for (const s of states) if (s.status === 'fulfilled') await s.value.journal.close()
      for (const [agentId, marked] of dirty) {
        if (suspect.has(agentId) || !(await marked.then(() => true, () => false))) continue
        await removeDurably(markerFile(agentId))
      }
      dirty.clear()
    }
  }
}

/**
 * What `start(key)` gave, started once per key. A rejected promise is forgotten,
 * so a failure (e.g. EACCES) is retried by the next call rather than cached forever.
 */
function startOnce<T> (started: Map<string, Promise<T>>, key: string, start: (key: string) => Promise<T>): Promise<T> {
  const known = started.get(key)
  if (known !== undefined) return known
  const pending = start(key)
  started.set(key, pending)
  pending.catch(() => {
    if (started.get(key) === pending) started.delete(key)
  })
  return pending
}
