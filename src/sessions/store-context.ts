/**
 * What the store's operations share: injected clock and warning hook, the
 * per-key queue, the handle cache and the agent registry, plus the few helpers
 * that touch transcripts on behalf of an index entry.
 */
import { randomUUID } from 'node:crypto'
import { rename, unlink, type open } from 'node:fs/promises'
import path from 'node:path'
import type { AgentRegistry } from './agent-registry.js'
import { ensurePrivateDir, isErrno, syncDir } from './fs-util.js'
import type { HandleCache, OpenTranscript } from './handle-cache.js'
import type { SessionPaths } from './keys.js'
import type { KeyedQueue } from '../keyed-queue.js'
import { pickSettings, type HeaderRecord } from './records.js'
import { openTranscript } from './transcript-io.js'
import type { SessionEntry, SessionSettings, SessionWarning } from './types.js'

export interface StoreContext {
  paths: SessionPaths
  clock: () => number
  warn: (w: SessionWarning) => void
  queue: KeyedQueue
  handles: HandleCache
  agents: AgentRegistry
  openFile: typeof open
}

export function newEntry (ctx: StoreContext, key: string, agentId: string, settings?: SessionSettings): SessionEntry {
  const now = ctx.clock()
  return {
    key,
    agentId,
    sessionId: randomUUID(),
    createdAt: now,
    updatedAt: now,
    ...(settings ? pickSettings(settings) : {}),
    messageCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0
  }
}

function headerFor (entry: SessionEntry): HeaderRecord {
  const settings = pickSettings(entry)
  return {
    type: 'session',
    version: 1,
    key: entry.key,
    sessionId: entry.sessionId,
    agentId: entry.agentId,
    createdAt: entry.createdAt,
    ...(Object.keys(settings).length > 0 ? { settings } : {})
  }
}

/**
 * Runs `fn` with the entry's open transcript (opening, repairing or creating it
 * as needed). Must be called from inside the key's queue slot.
 */
export async function withTranscript<T> (
  ctx: StoreContext,
  entry: SessionEntry,
  fn: (t: OpenTranscript) => Promise<T>
): Promise<T> {
  const file = ctx.paths.transcript(entry.agentId, entry.sessionId)
  // Even reads may write here (a header, a torn-tail truncation), so the agent is marked first.
  await ctx.agents.markDirty(entry.agentId)
  const open = async (): Promise<OpenTranscript> => {
    await ensurePrivateDir(path.dirname(file))
    const opened = await openTranscript(file, headerFor(entry), ctx.warn, ctx.openFile)
    if (opened.created && entry.messageCount > 0) {
      // The transcript vanished (or never made it to disk): the JSONL is the truth, so the counters go.
      ctx.warn({
        code: 'INDEX_REPAIRED',
        message: 'transcript missing for an indexed session; counters reset',
        agentId: entry.agentId,
        path: file,
        count: entry.messageCount
      })
      resetCounters(entry)
    }
    return opened
  }
  try {
    return await ctx.handles.use(file, open, fn)
  } catch (err) {
    // After a failed read or write the handle's state is unknown; reopening re-checks the tail.
    await ctx.handles.evict(file)
    ctx.agents.markSuspect(entry.agentId)
    throw err
  }
}

export function resetCounters (entry: SessionEntry): void {
  entry.messageCount = 0
  entry.inputTokens = 0
  entry.outputTokens = 0
  entry.totalTokens = 0
  delete entry.lastMessagePreview
}

/**
 * Moves a transcript out of the live set by renaming it with `suffix`: kept on
 * disk, invisible to rebuilds. Returns the new path, or undefined if there was no file.
 */
export async function retireTranscript (ctx: StoreContext, entry: SessionEntry, suffix: string): Promise<string | undefined> {
  const file = ctx.paths.transcript(entry.agentId, entry.sessionId)
  const target = `${file}${suffix}`
  await ctx.agents.markDirty(entry.agentId)
  await ctx.handles.evict(file)
  try {
    await rename(file, target)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined
    ctx.agents.markSuspect(entry.agentId)
    throw err
  }
  await syncDir(path.dirname(file))
  return target
}

export async function removeFile (file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err
    return
  }
  await syncDir(path.dirname(file))
}
