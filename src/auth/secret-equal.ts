import { timingSafeEqual } from 'node:crypto'

/**
 * Constant-time secret comparison. Every call compares as many bytes as the
 * expected secret holds, whatever was presented, so the time taken says
 * nothing about how close a guess was.
 */
export function safeEqualSecret (provided: string | undefined, expected: string | undefined): boolean {
  if (typeof provided !== 'string' || typeof expected !== 'string') return false
  const a = Buffer.from(provided, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  if (a.length !== b.length) {
    timingSafeEqual(b, b)
    return false
  }
  return timingSafeEqual(a, b)
}
