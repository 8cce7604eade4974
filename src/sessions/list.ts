/**
 * Listing without sorting the whole index: one pass that filters, counts and
 * keeps only the best `offset + limit` entries (newest first, then key), so a
 * page costs O(n log k) and no copy of the index. Cursors name the last entry
 * of a page, so paging stays stable while new sessions arrive at the top.
 */
import { SessionError } from '../errors/sessions.js'
import type { SessionEntry } from './types.js'

/** Past this many kept entries, sorting everything once beats inserting into a sorted array. */
const TOP_K_MAX = 2_000

export interface Position { updatedAt: number, key: string }

/** True when `a` lists before `b`. */
function before (a: Position, b: Position): boolean {
  return a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.key < b.key)
}

export function encodeCursor (p: Position): string {
  return Buffer.from(JSON.stringify([p.updatedAt, p.key])).toString('base64url')
}

export function decodeCursor (cursor: unknown): Position {
  if (typeof cursor === 'string' && cursor.length <= 2_048) {
    try {
      const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === 'string') return { updatedAt: v[0], key: v[1] }
    } catch { /* reported below */ }
  }
  throw new SessionError('SESSION_INVALID_OPTIONS', 'cursor is not one this store issued')
}

export interface PageRequest {
  /** How many matches to skip after the cursor (or from the top). */
  offset: number
  limit: number
  after?: Position
  match: (e: SessionEntry) => boolean
}

export interface Page { entries: SessionEntry[], total: number, more: boolean }

export function pageOf (sources: Iterable<Iterable<SessionEntry>>, req: PageRequest): Page {
  const k = req.offset + req.limit
  const best: SessionEntry[] = []
  let total = 0
  let afterCursor = 0
  for (const source of sources) {
    for (const e of source) {
      if (!req.match(e)) continue
      total += 1
      if (req.after && !before(req.after, e)) continue
      afterCursor += 1
      if (k === 0) continue
      if (k > TOP_K_MAX) {
        best.push(e)
        continue
      }
      if (best.length >= k && !before(e, best[best.length - 1])) continue
      insertSorted(best, e)
      if (best.length > k) best.pop()
    }
  }
  if (k > TOP_K_MAX) best.sort((a, b) => before(a, b) ? -1 : before(b, a) ? 1 : 0)
  const entries = best.slice(req.offset, k)
  return { entries, total, more: afterCursor > req.offset + entries.length }
}

function insertSorted (list: SessionEntry[], e: SessionEntry): void {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (before(list[mid], e)) lo = mid + 1
    else hi = mid
  }
  list.splice(lo, 0, e)
}

/** Case-insensitive substring match on key, label, display name and last message. */
export function matchesSearch (entry: SessionEntry, needle: string): boolean {
  return [entry.key, entry.label, entry.displayName, entry.lastMessagePreview].some((s) => s !== undefined && s.toLowerCase().includes(needle))
}
