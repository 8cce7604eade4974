// Idempotency-key dedupe for side-effecting methods (contract 1.2): the first
// successful response is replayed to duplicates for 5 minutes, at most 1000
// keys per method. In-flight duplicates wait for the first call's answer.
import { LRUCache } from 'lru-cache'

export interface DedupeOptions { ttlMs: number, max: number, now: () => number }

export class IdempotencyCache {
  readonly #perMethod = new Map<string, LRUCache<string, Promise<unknown>>>()
  readonly #opts: DedupeOptions

  constructor (opts: Partial<DedupeOptions> = {}) {
    this.#opts = { ttlMs: 300_000, max: 1000, now: Date.now, ...opts }
  }

  /** The cached (or in-flight) first response for this key, if any. */
  lookup (method: string, key: string): Promise<unknown> | undefined {
    // peek: a duplicate does not make its key younger, so the first-remembered key is evicted first.
    return this.#perMethod.get(method)?.peek(key)
  }

  /** Records the first call; a failure forgets the key so the client may retry with it. */
  remember (method: string, key: string, outcome: Promise<unknown>): void {
    let entries = this.#perMethod.get(method)
    if (entries === undefined) {
      const { ttlMs, max, now } = this.#opts
      // ttlResolution 0: read the clock on every check rather than cache it behind a timer.
      entries = new LRUCache({ max, ttl: ttlMs, ttlResolution: 0, perf: { now } })
      this.#perMethod.set(method, entries)
    }
    const cache = entries
    cache.set(key, outcome)
    outcome.catch(() => { if (cache.peek(key) === outcome) cache.delete(key) })
  }

  /** Drops expired entries; called from the owner's maintenance timer. */
  sweep (): void {
    for (const entries of this.#perMethod.values()) entries.purgeStale()
  }
}

export function idempotencyKeyOf (params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const key = (params as { idempotencyKey?: unknown }).idempotencyKey
  return typeof key === 'string' && key !== '' ? key : undefined
}
