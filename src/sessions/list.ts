/**
 * Listing without sorting the whole index: one pass that filters, counts and
 * keeps only the best `offset + limit` entries (newest first, then key), so a
 * page costs O(n log k) and no copy of the index. Cursors name the last entry
 * of a page, so paging stays stable while new sessions arrive at the top.
 */
import { SessionError } from '../errors/sessions.js'
import type { SessionIndex } from './session-index.js'
import type { SessionEntry } from './types.js'

/** Past this many kept entries, sorting everything once beats inserting into a sorted array. */
const TOP_K_MAX = 2_000

export interface Position { updatedAt: number, key: string }

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
  match: (index: SessionIndex, slot: number) => boolean
}

export interface Page { entries: SessionEntry[], total: number, more: boolean }

/** A kept match; its key is decoded only when a tie on updatedAt needs it. */
interface Ref { index: SessionIndex, slot: number, updatedAt: number, key: string | undefined }

export function pageOf (indexes: readonly SessionIndex[], req: PageRequest): Page {
  const k = req.offset + req.limit
  const best: Ref[] = []
  let total = 0
  let afterCursor = 0
  for (const index of indexes) {
    // Newest slots first: recently created sessions tend to be the recently updated ones, so few matches enter the top k.
    for (let slot = index.slotLimit - 1; slot >= 0; slot--) {
      if (!index.isLive(slot) || !req.match(index, slot)) continue
      total += 1
      const updatedAt = index.updatedAt(slot)
      if (req.after && !listsAfter(index, slot, updatedAt, req.after)) continue
      afterCursor += 1
      if (k === 0) continue
      // Most matches lose to the worst kept one on updatedAt alone: no object, no key decoded.
      const worst = best.length >= k && k <= TOP_K_MAX ? best[best.length - 1] : undefined
      if (worst && (updatedAt < worst.updatedAt || (updatedAt === worst.updatedAt && !(index.keyAt(slot) < keyOf(worst))))) continue
      const ref: Ref = { index, slot, updatedAt, key: undefined }
      if (k > TOP_K_MAX) {
        best.push(ref)
        continue
      }
      insertSorted(best, ref)
      if (best.length > k) best.pop()
    }
  }
  if (k > TOP_K_MAX) best.sort((a, b) => refBefore(a, b) ? -1 : refBefore(b, a) ? 1 : 0)
  const entries = best.slice(req.offset, k).map((r) => r.index.entryAt(r.slot))
  return { entries, total, more: afterCursor > req.offset + entries.length }
}

function listsAfter (index: SessionIndex, slot: number, updatedAt: number, p: Position): boolean {
  return p.updatedAt > updatedAt || (p.updatedAt === updatedAt && p.key < index.keyAt(slot))
}

function keyOf (r: Ref): string {
  r.key ??= r.index.keyAt(r.slot)
  return r.key
}

function refBefore (a: Ref, b: Ref): boolean {
  return a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && keyOf(a) < keyOf(b))
}

function insertSorted (list: Ref[], r: Ref): void {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (refBefore(list[mid], r)) lo = mid + 1
    else hi = mid
  }
  list.splice(lo, 0, r)
}
