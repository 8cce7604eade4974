/**
 * Loads each agent's index once, on first use, and owns its serialized writer.
 * A missing or corrupt index is rebuilt from the transcripts here, before any
 * operation on that agent can touch its files.
 *
 * Unclean shutdowns are detected with a marker file written before this process
 * first writes an agent's files and removed by a clean close(). If a load finds
 * the marker, the previous process may have died between a transcript write and
 * the index write, so every transcript modified since the marker is rechecked.
 */
import { open, readdir, rename, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { ensurePrivateDir, FILE_MODE, isErrno, syncDir } from './fs-util.js'
import { createSerialWriter, readIndex, writeIndex, type SerialWriter } from './index-file.js'
import { isAgentId, type SessionPaths } from './keys.js'
import { refreshEntries } from './rebuild.js'
import type { SessionEntry, SessionWarning } from './types.js'

const DIRTY_MARKER = 'sessions.dirty'
/** File times are coarse (jiffies, or whole seconds on some filesystems); look back this much further. */
const FS_TIME_SLACK_MS = 2_000

export interface AgentState {
  agentId: string
  /** The live index; mutate only while holding the key's queue slot, then `writer.flush()`. */
  entries: Map<string, SessionEntry>
  writer: SerialWriter
}

export interface AgentRegistry {
  get(agentId: string): Promise<AgentState>
  /** Call before writing any file of the agent; cheap after the first time. */
  markDirty(agentId: string): Promise<void>
  /** A write failed in a way that may leave index and transcripts apart: keep the marker. */
  markSuspect(agentId: string): void
  /** Agent ids with a directory on disk or loaded in memory. */
  listAgentIds(): Promise<string[]>
  /** Waits for pending index writes, then removes the dirty markers of agents that stayed consistent. */
  closeClean(): Promise<void>
}

export function createAgentRegistry (
  paths: SessionPaths,
  clock: () => number,
  warn: (w: SessionWarning) => void
): AgentRegistry {
  const loaded = new Map<string, Promise<AgentState>>()
  const dirty = new Map<string, Promise<void>>()
  const suspect = new Set<string>()
  const markerFile = (agentId: string): string => path.join(paths.sessionsDir(agentId), DIRTY_MARKER)

  async function load (agentId: string): Promise<AgentState> {
    const dir = paths.sessionsDir(agentId)
    const file = paths.indexFile(agentId)
    const result = await readIndex(file)
    const state: AgentState = {
      agentId,
      entries: result.kind === 'ok' ? result.entries : new Map(),
      writer: createSerialWriter(async () => {
        try {
          await ensurePrivateDir(dir)
          await writeIndex(file, state.entries)
        } catch (err) {
          suspect.add(agentId)
          throw err
        }
      })
    }
    const marker = await stat(markerFile(agentId)).catch(() => undefined)
    // The previous owner's marker becomes ours: it goes away only when we close cleanly.
    if (marker) dirty.set(agentId, Promise.resolve())

    if (result.kind === 'corrupt') {
      warn({ code: 'INDEX_CORRUPT', message: `session index unreadable (${result.reason}); rebuilding`, agentId, path: file })
      // Keep the bad file for inspection instead of overwriting the evidence.
      await rename(file, `${file}.corrupt-${clock()}`).catch(() => undefined)
    }
    if (result.kind !== 'ok') {
      const count = await refreshEntries(dir, agentId, state.entries, warn)
      if (result.kind === 'corrupt' || count > 0) {
        warn({ code: 'INDEX_REBUILT', message: 'session index rebuilt from transcripts', agentId, path: file, count })
        await state.writer.flush()
      }
    } else if (marker) {
      const count = await refreshEntries(dir, agentId, state.entries, warn, marker.mtimeMs - FS_TIME_SLACK_MS)
      if (count > 0) {
        warn({ code: 'INDEX_REPAIRED', message: 'unclean shutdown: index caught up with transcripts', agentId, path: file, count })
        await state.writer.flush()
      }
    }
    return state
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

    async closeClean () {
      const states = await Promise.allSettled(loaded.values())
      for (const s of states) if (s.status === 'fulfilled') await s.value.writer.idle()
      for (const [agentId, marked] of dirty) {
        if (suspect.has(agentId) || !(await marked.then(() => true, () => false))) continue
        try {
          await unlink(markerFile(agentId))
          await syncDir(paths.sessionsDir(agentId))
        } catch (err) {
          if (!isErrno(err, 'ENOENT')) throw err
        }
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
