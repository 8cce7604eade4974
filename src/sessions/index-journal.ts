/**
 * Owns one agent's index files after load: group-commits changed keys to
 * `sessions.log` (one append + fdatasync per batch, whatever the session count)
 * and folds the log into a new `sessions.json` snapshot in the background once
 * it grows past a share of the index, so compaction is amortised O(1) per turn.
 */
import { open, truncate, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { FILE_MODE, isErrno, removeDurably, renameDurably, syncDir } from './fs-util.js'
import { writeIndex } from './index-file.js'
import { LOG_FILE, logLine, ROTATED_LOG_FILE } from './index-log.js'
import type { SessionIndex } from './session-index.js'

/** Compact once the log holds more lines than this share of the index (and at least MIN_COMPACT_LINES). */
const COMPACT_SHARE = 0.25
const MIN_COMPACT_LINES = 1_000

export interface JournalOptions {
  agentId: string
  dir: string
  indexFile: string
  entries: SessionIndex
  /** Keys named in the logs since the last compaction (a crash rechecks only these). */
  touched: Set<string>
  logBytes: number
  logLines: number
  snapshotExists: boolean
  rotatedExists: boolean
  openFile: typeof open
  compactMinLines?: number
  /** Keys with store operations running or queued right now. */
  busyKeys: () => Iterable<string>
  /** A write failed: the index may lag its transcripts until the next successful commit. */
  onWriteError: (err: unknown) => void
  onCompactError: (err: unknown) => void
}

export interface IndexJournal {
  /** Durably records the current state (entry or absence) of each key. */
  commit(keys: Iterable<string>): Promise<void>
  /** Call before writing a key's transcript: names the key in the log once per compaction. */
  touch(key: string): Promise<void>
  /** Writes a fresh snapshot; with `discardLogs`, the logs are dropped first (the entries were rebuilt). */
  compact(opts?: { discardLogs?: boolean }): Promise<void>
  idle(): Promise<void>
  close(): Promise<void>
}

export function createIndexJournal (o: JournalOptions): IndexJournal {
  const logFile = path.join(o.dir, LOG_FILE)
  const rotatedFile = path.join(o.dir, ROTATED_LOG_FILE)
  const pending = new Map<string, 'e' | 't'>()
  let handle: FileHandle | undefined
  let size = o.logBytes
  let lines = o.logLines
  let snapshotExists = o.snapshotExists
  let rotatedExists = o.rotatedExists
  let needsTruncate = false
  let chain: Promise<unknown> = Promise.resolve()
  let scheduled: Promise<void> | undefined
  let compacting: Promise<void> | undefined

  /** Log appends, rotation and discards run one at a time, in call order. */
  function exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const p = chain.then(fn)
    chain = p.catch(() => undefined)
    return p
  }

  function flush (): Promise<void> {
    scheduled ??= exclusive(async () => {
      scheduled = undefined
      await writePending()
    })
    return scheduled
  }

  async function openLog (): Promise<FileHandle> {
    // After a failed append whose cut-back also failed, cut the fragment before appending again.
    if (needsTruncate) {
      await truncate(logFile, size).catch((err: unknown) => { if (!isErrno(err, 'ENOENT')) throw err })
      needsTruncate = false
    }
    const h = await o.openFile(logFile, 'a', FILE_MODE)
    await syncDir(o.dir).catch(async (err: unknown) => {
      await h.close()
      throw err
    })
    return h
  }

  async function writePending (): Promise<void> {
    if (pending.size === 0) return
    const batch = [...pending]
    pending.clear()
    let text = ''
    for (const [k, kind] of batch) {
      const e = o.entries.get(k)
      text += logLine(kind === 't' ? { k, t: 1 } : e ? { k, e } : { k, d: 1 })
    }
    const buf = Buffer.from(text, 'utf8')
    try {
      // A log needs a snapshot under it: without one, a lost snapshot and a new agent look alike.
      if (!snapshotExists) await writeIndex(o.indexFile, o.entries, o.openFile)
      snapshotExists = true
      handle ??= await openLog()
      // appendFile loops until every byte is written; a bare write() may stop short.
      await handle.appendFile(buf)
      await handle.datasync()
    } catch (err) {
      for (const [k, kind] of batch) if (kind === 'e' || !pending.has(k)) pending.set(k, kind)
      await handle?.truncate(size).catch(() => { needsTruncate = true })
      await handle?.close().catch(() => undefined)
      handle = undefined
      o.onWriteError(err)
      throw err
    }
    size += buf.length
    lines += batch.length
    for (const [k] of batch) o.touched.add(k)
    if (!compacting && lines > Math.max(o.compactMinLines ?? MIN_COMPACT_LINES, o.entries.size * COMPACT_SHARE)) {
      compacting = compactNow(false).catch(o.onCompactError).finally(() => { compacting = undefined })
    }
  }

  async function closeLog (): Promise<void> {
    await handle?.close()
    handle = undefined
  }

  /** Starts a fresh log: later appends land there while the snapshot is written. */
  async function rotate (): Promise<void> {
    if (rotatedExists) return
    await closeLog()
    try {
      await renameDurably(logFile, rotatedFile)
      rotatedExists = true
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err
    }
    size = 0
    lines = 0
    o.touched.clear()
    // A key mid-write may have been touched only in the rotated log: name it again in the new one.
    const prefix = `agent:${o.agentId}:`
    for (const k of o.busyKeys()) if (k.startsWith(prefix) && !pending.has(k)) pending.set(k, 't')
    await writePending()
  }

  async function discardLogs (): Promise<void> {
    await closeLog()
    await removeDurably(rotatedFile)
    await removeDurably(logFile)
    rotatedExists = false
    size = 0
    lines = 0
    o.touched.clear()
  }

  async function compactNow (discard: boolean): Promise<void> {
    await exclusive(() => discard ? discardLogs() : rotate())
    await writeIndex(o.indexFile, o.entries, o.openFile)
    snapshotExists = true
    await exclusive(async () => {
      await removeDurably(rotatedFile)
      rotatedExists = false
    })
  }

  async function idle (): Promise<void> {
    for (let p = compacting ?? scheduled; p; p = compacting ?? scheduled) await p.catch(() => undefined)
    await chain
  }

  return {
    commit (keys) {
      for (const k of keys) pending.set(k, 'e')
      return flush()
    },
    async touch (key) {
      if (o.touched.has(key)) return
      if (!pending.has(key)) pending.set(key, 't')
      await flush()
    },
    async compact (opts = {}) {
      await compacting
      compacting = compactNow(opts.discardLogs === true).finally(() => { compacting = undefined })
      await compacting
    },
    idle,
    async close () {
      await idle()
      // Leave sessions.json current for tools that read it while the gateway is down.
      if (lines > 0 || rotatedExists) await compactNow(false).catch(o.onCompactError)
      await exclusive(closeLog)
    }
  }
}
