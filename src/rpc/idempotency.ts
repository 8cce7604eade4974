// Idempotency-key dedupe for side-effecting methods (contract 1.2): the first
// successful response is replayed to duplicates for 5 minutes, at most 1000
// keys per method. In-flight duplicates wait for the first call's answer.
export interface DedupeOptions { ttlMs: number, max: number, now: () => number }

interface Entry { expiresAt: number, outcome: Promise<unknown> }

export class IdempotencyCache {
  readonly #perMethod = new Map<string, Map<string, Entry>>()
  readonly #opts: DedupeOptions

  constructor (opts: Partial<DedupeOptions> = {}) {
    this.#opts = { ttlMs: 300_000, max: 1000, now: Date.now, ...opts }
  }

  /** The cached (or in-flight) first response for this key, if any. */
  lookup (method: string, key: string): Promise<unknown> | undefined {
    const entries = this.#perMethod.get(method)
    const e = entries?.get(key)
    if (e === undefined) return undefined
    if (e.expiresAt <= this.#opts.now()) {
      entries!.delete(key)
      return undefined
    }
    return e.outcome
  }

  /** Records the first call; a failure forgets the key so the client may retry with it. */
  remember (method: string, key: string, outcome: Promise<unknown>): void {
    let entries = this.#perMethod.get(method)
    if (entries === undefined) {
      entries = new Map()
      this.#perMethod.set(method, entries)
    }
    const entry: Entry = { expiresAt: this.#opts.now() + this.#opts.ttlMs, outcome }
    entries.set(key, entry)
    // Map iteration order is insertion order, so the first keys are the oldest.
    while (entries.size > this.#opts.max) entries.delete(entries.keys().next().value!)
    outcome.catch(() => { if (entries.get(key) === entry) entries.delete(key) })
  }

  /** Drops expired entries; called from the owner's maintenance timer. */
  sweep (): void {
    const t = this.#opts.now()
    for (const entries of this.#perMethod.values()) {
      for (const [k, e] of entries) {
        if (e.expiresAt > t) break
        entries.delete(k)
      }
    }
  }
}

export function idempotencyKeyOf (params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const key = (params as { idempotencyKey?: unknown }).idempotencyKey
  return typeof key === 'string' && key !== '' ? key : undefined
}
