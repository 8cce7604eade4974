/**
 * Deriving index entries from transcripts. Each `<uuid>.jsonl` names its key in
 * its header; when several claim one key (a crash during reset), the one the
 * index points at wins if it still exists, else the newest.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { isErrno } from './fs-util.js'
import { isSessionId, TRANSCRIPT_SUFFIX } from './keys.js'
import type { HeaderRecord } from './records.js'
import { readHeader, scanTranscript, type TranscriptScan } from './transcript-scan.js'
import type { SessionIndex } from './session-index.js'
import type { SessionEntry, SessionWarning } from './types.js'

export interface TranscriptCandidate {
  file: string
  header: HeaderRecord
}

export interface Reconciled {
  /** The entry the transcripts support; undefined when there is neither entry nor transcript. */
  entry: SessionEntry | undefined
  changed: boolean
  /** The scan behind `entry`, so callers can act on torn tails. */
  scan?: TranscriptScan
  file?: string
}

type Warn = (w: SessionWarning) => void

export interface TranscriptListing {
  /** Live transcripts by the key their header names. */
  byKey: Map<string, TranscriptCandidate[]>
  /** Session ids whose live transcript exists. */
  live: Set<string>
  /** Session ids with a `.deleted-*` archive: delete() got at least that far. */
  deleted: Set<string>
}

const DELETED_MARK = `${TRANSCRIPT_SUFFIX}.deleted-`

/**
 * Reads the header of every live transcript in `dir` (or of those whose
 * sessionId `wanted` accepts), grouped by key. Archived files (`.reset-*`,
 * `.deleted-*`) do not end in `.jsonl` and are never candidates.
 */
export async function collectTranscripts (
  dir: string,
  agentId: string,
  warn: Warn,
  wanted: (sessionId: string) => boolean = () => true
): Promise<TranscriptListing> {
  const listing: TranscriptListing = { byKey: new Map(), live: new Set(), deleted: new Set() }
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return listing
    throw err
  }
  for (const name of names) {
    const mark = name.indexOf(DELETED_MARK)
    if (mark > 0) listing.deleted.add(name.slice(0, mark))
    if (name.endsWith(TRANSCRIPT_SUFFIX)) listing.live.add(name.slice(0, -TRANSCRIPT_SUFFIX.length))
  }
  const byKey = listing.byKey
  for (const name of names.sort()) {
    if (!name.endsWith(TRANSCRIPT_SUFFIX)) continue
    const sessionId = name.slice(0, -TRANSCRIPT_SUFFIX.length)
    if (!isSessionId(sessionId)) continue
    if (!wanted(sessionId)) continue
    const file = path.join(dir, name)
    const header = await readHeader(file, sessionId).catch(() => undefined)
    if (!header || header.agentId !== agentId) {
      warn({ code: 'TRANSCRIPT_UNREADABLE', message: 'transcript has no usable session header; left untouched', agentId, path: file })
      continue
    }
    const list = byKey.get(header.key) ?? []
    list.push({ file, header })
    byKey.set(header.key, list)
  }
  return listing
}

/** An indexed session whose live transcript is gone but whose delete archive exists was being deleted. */
export function wasDeleted (listing: TranscriptListing, entry: SessionEntry): boolean {
  return !listing.live.has(entry.sessionId) && listing.deleted.has(entry.sessionId)
}

function newest (candidates: readonly TranscriptCandidate[]): TranscriptCandidate | undefined {
  let best: TranscriptCandidate | undefined
  for (const c of candidates) if (!best || c.header.createdAt > best.header.createdAt) best = c
  return best
}

/** The transcript an entry points at, if it still exists and belongs to the entry's key. */
async function indexedCandidate (dir: string, entry: SessionEntry): Promise<TranscriptCandidate | undefined> {
  const file = path.join(dir, `${entry.sessionId}${TRANSCRIPT_SUFFIX}`)
  const header = await readHeader(file, entry.sessionId).catch(() => undefined)
  return header && header.key === entry.key ? { file, header } : undefined
}

/**
 * Makes one key's entry agree with the transcripts: `current` is what the index
 * says, `candidates` the live transcripts claiming the key. Reads only; the
 * caller stores the result and truncates torn tails.
 */
export async function reconcileEntry (
  dir: string,
  agentId: string,
  current: SessionEntry | undefined,
  candidates: readonly TranscriptCandidate[],
  warn: Warn
): Promise<Reconciled> {
  const chosen = (current && (await indexedCandidate(dir, current))) ?? newest(candidates)
  if (!chosen) {
    if (!current || current.messageCount === 0) return { entry: current, changed: false }
    // Indexed, but its transcript is gone: keep the settings, drop what the lost transcript held.
    const { lastMessagePreview: _p, ...rest } = current
    return { entry: { ...rest, messageCount: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 }, changed: true }
  }
  if (candidates.length > 1 && chosen.header.sessionId !== current?.sessionId) {
    warn({
      code: 'TRANSCRIPT_DUPLICATE_KEY',
      message: `several transcripts claim one key; using the newest (${chosen.header.sessionId})`,
      agentId,
      path: chosen.file,
      count: candidates.length
    })
  }
  const scan = await scanTranscript(chosen.file, chosen.header.sessionId).catch(() => undefined)
  if (!scan) return { entry: current, changed: false }
  if (scan.badLines > 0) {
    warn({ code: 'TRANSCRIPT_BAD_LINES', message: 'skipped unparsable transcript lines', agentId, path: chosen.file, count: scan.badLines })
  }
  const derived = scan.entry
  // updatedAt is stamped by the store clock, which the transcript does not record; keep the later one.
  if (current?.sessionId === derived.sessionId) derived.updatedAt = Math.max(derived.updatedAt, current.updatedAt)
  const changed = !current || !sameEntry(current, derived)
  return { entry: changed ? derived : current, changed, scan, file: chosen.file }
}

const COMPARED_FIELDS = [
  'sessionId', 'createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens',
  'lastMessagePreview', 'label', 'displayName', 'model', 'modelProvider', 'thinkingLevel', 'archived', 'pinned', 'channel'
] as const satisfies readonly (keyof SessionEntry)[]

function sameEntry (a: SessionEntry, b: SessionEntry): boolean {
  return COMPARED_FIELDS.every((f) => a[f] === b[f])
}

/**
 * Reconciles, in place, every key (a full rebuild onto `entries`), or with
 * `recheck` only those keys plus transcripts the index does not know (a
 * session created, reset or deleted around a crash); entries whose transcript
 * is gone are always reconciled. Only safe while nothing else writes this
 * agent's files. Returns the keys that changed.
 */
export async function refreshEntries (
  dir: string,
  agentId: string,
  entries: SessionIndex,
  warn: Warn,
  recheck?: ReadonlySet<string>
): Promise<string[]> {
  let wanted: ((sessionId: string) => boolean) | undefined
  if (recheck) {
    const known = new Set<string>()
    const again = new Set<string>()
    for (let s = 0; s < entries.slotLimit; s++) {
      if (entries.isLive(s)) (recheck.has(entries.keyAt(s)) ? again : known).add(entries.sessionIdAt(s))
    }
    wanted = (id) => again.has(id) || !known.has(id)
  }
  const listing = await collectTranscripts(dir, agentId, warn, wanted)
  // Only entries whose transcript is gone need a look; copied out first, since the loop changes the index.
  const orphans: SessionEntry[] = []
  for (let s = 0; s < entries.slotLimit; s++) {
    if (!entries.isLive(s) || listing.live.has(entries.sessionIdAt(s))) continue
    const entry = entries.entryAt(s)
    if (!listing.byKey.has(entry.key)) orphans.push(entry)
  }
  const changed: string[] = []
  for (const entry of orphans) {
    if (wasDeleted(listing, entry)) {
      entries.delete(entry.key)
      changed.push(entry.key)
      continue
    }
    const result = await reconcileEntry(dir, agentId, entry, [], warn)
    if (result.changed && result.entry) {
      entries.set(entry.key, result.entry)
      changed.push(entry.key)
    }
  }
  for (const [key, candidates] of listing.byKey) {
    const result = await reconcileEntry(dir, agentId, entries.get(key), candidates, warn)
    if (!result.changed || !result.entry) continue
    entries.set(key, result.entry)
    changed.push(key)
  }
  return changed
}
