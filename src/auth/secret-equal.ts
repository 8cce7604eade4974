import { timingSafeEqual } from 'node:crypto'

/**
 * Constant-time secret comparison. Both sides are padded to the same length
 * so the compare time does not reveal the expected secret's length.
 */
export function safeEqualSecret (provided: string | undefined, expected: string | undefined): boolean {
  if (typeof provided !== 'string' || typeof expected !== 'string') return false
  const a = Buffer.from(provided, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  const len = Math.max(a.length, b.length, 1)
  const pa = Buffer.alloc(len)
  const pb = Buffer.alloc(len)
  a.copy(pa)
  b.copy(pb)
  return timingSafeEqual(pa, pb) && a.length === b.length
}
