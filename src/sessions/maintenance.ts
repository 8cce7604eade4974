/**
 * Retention (`session.maintenance`): plan which sessions go for age, for count
 * and for disk, then remove them one key at a time through the store's own
 * delete path. Planning reads the in-memory index; only a disk budget stats
 * the files, so a pass without one touches no transcript.
 */
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { isErrno, removeDurably } from './fs-util.js'
import { TRANSCRIPT_SUFFIX } from './keys.js'
import type { StoreContext } from './store-context.js'
import type { SessionIndex } from './session-index.js'
import type { CleanupAgentReport, CleanupOptions, CleanupReport, SessionEntry } from './types.js'

const REPORTED_KEYS = 200
const DEFAULT_HIGH_WATER = 0.8
/** Files the store leaves beside live transcripts: reset/delete archives and set-aside indexes. */
const ARCHIVE_MARK = /\.(reset|deleted|corrupt|bak)-\d+$/

export type CleanupDelete = (key: string, stillStale: (e: SessionEntry) => boolean) => Promise<boolean>

interface Planned { key: string, updatedAt: number, reason: 'pruned' | 'capped' | 'evicted' }

export async function cleanupSessions (ctx: StoreContext, opts: CleanupOptions, remove: CleanupDelete): Promise<CleanupReport> {
  const agentIds = opts.agentId !== undefined ? [opts.agentId] : await ctx.agents.listAgentIds()
  const report: CleanupReport = { dryRun: opts.dryRun === true, agents: [] }
  for (const agentId of agentIds) report.agents.push(await cleanupAgent(ctx, agentId, opts, remove))
  return report
}

async function cleanupAgent (ctx: StoreContext, agentId: string, opts: CleanupOptions, remove: CleanupDelete): Promise<CleanupAgentReport> {
  const { entries } = await ctx.agents.get(agentId)
  const protect = opts.protect ?? (() => false)
  const dir = ctx.paths.sessionsDir(agentId)
  // Listed before planning, so the plan reads the index in one synchronous pass (slots cannot change under it).
  const disk = opts.maxDiskBytes !== undefined ? await diskUsage(dir) : undefined
  // Oldest first: every rule removes from the old end.
  const byAge = liveSlots(entries).sort((a, b) => entries.updatedAt(a) - entries.updatedAt(b))
  const plan: Planned[] = []
  const planned = new Set<string>()
  const cutoff = opts.pruneAfterMs !== undefined ? ctx.clock() - opts.pruneAfterMs : -Infinity
  let used = disk?.total ?? 0
  let kept = byAge.length
  for (const slot of byAge) {
    const updatedAt = entries.updatedAt(slot)
    const reason = updatedAt < cutoff ? 'pruned' : opts.maxEntries !== undefined && kept > opts.maxEntries ? 'capped' : undefined
    if (!reason) break
    const key = entries.keyAt(slot)
    if (protect(key)) continue
    plan.push({ key, updatedAt, reason })
    planned.add(key)
    used -= disk?.transcripts.get(entries.sessionIdAt(slot)) ?? 0
    kept -= 1
  }
  const archives: string[] = []
  let bytesAfter = disk?.total
  if (disk && opts.maxDiskBytes !== undefined && disk.total > opts.maxDiskBytes) {
    const target = opts.highWaterBytes ?? Math.floor(opts.maxDiskBytes * DEFAULT_HIGH_WATER)
    // Archives are history nobody reads any more: they go before any live session.
    for (const a of disk.archives) {
      if (used <= target) break
      archives.push(a.file)
      used -= a.size
    }
    for (const slot of byAge) {
      if (used <= target) break
      const key = entries.keyAt(slot)
      if (planned.has(key) || protect(key)) continue
      plan.push({ key, updatedAt: entries.updatedAt(slot), reason: 'evicted' })
      used -= disk.transcripts.get(entries.sessionIdAt(slot)) ?? 0
    }
    bytesAfter = used
  }
  const removed: Planned[] = []
  if (opts.dryRun === true) {
    removed.push(...plan)
  } else {
    for (const p of plan) if (await remove(p.key, (e) => e.updatedAt === p.updatedAt)) removed.push(p)
    for (const file of archives) await removeDurably(file)
  }
  const count = (reason: Planned['reason']): number => removed.filter((p) => p.reason === reason).length
  return {
    agentId,
    sessionsBefore: byAge.length,
    sessionsAfter: byAge.length - removed.length,
    pruned: count('pruned'),
    capped: count('capped'),
    evicted: count('evicted'),
    archivesRemoved: archives.length,
    ...(disk ? { diskBytesBefore: disk.total, diskBytesAfter: bytesAfter } : {}),
    keys: removed.slice(0, REPORTED_KEYS).map((p) => p.key)
  }
}

function liveSlots (entries: SessionIndex): Int32Array {
  const slots = new Int32Array(entries.size)
  for (let s = 0, n = 0; s < entries.slotLimit; s++) if (entries.isLive(s)) slots[n++] = s
  return slots
}

interface DiskUsage {
  total: number
  /** Live transcript bytes by sessionId. */
  transcripts: Map<string, number>
  /** Archive files, oldest first. */
  archives: Array<{ file: string, size: number }>
}

async function diskUsage (dir: string): Promise<DiskUsage> {
  const usage: DiskUsage = { total: 0, transcripts: new Map(), archives: [] }
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return usage
    throw err
  }
  const archives: Array<{ file: string, size: number, mtime: number }> = []
  for (const name of names) {
    const file = path.join(dir, name)
    const s = await stat(file).catch(() => undefined)
    if (!s?.isFile()) continue
    usage.total += s.size
    if (name.endsWith(TRANSCRIPT_SUFFIX)) usage.transcripts.set(name.slice(0, -TRANSCRIPT_SUFFIX.length), s.size)
    else if (ARCHIVE_MARK.test(name)) archives.push({ file, size: s.size, mtime: s.mtimeMs })
  }
  usage.archives = archives.sort((a, b) => a.mtime - b.mtime).map(({ file, size }) => ({ file, size }))
  return usage
}
