// Control-plane write budget (contract 8): at most `max` writes per method
// per client inside a sliding `windowMs`. Keys are dropped once their window
// is empty, so the map only holds clients that wrote recently.
export interface WriteBudgetSettings { max: number, windowMs: number }

export class WriteBudget {
  readonly settings: WriteBudgetSettings
  readonly #now: () => number
  readonly #hits = new Map<string, number[]>()

  constructor (settings: WriteBudgetSettings, now: () => number = Date.now) {
    this.settings = settings
    this.#now = now
  }

  /** Spends one write for `key`; when the budget is spent, how long until the oldest write leaves the window. */
  consume (key: string): { allowed: true } | { allowed: false, retryAfterMs: number } {
    const t = this.#now()
    const recent = (this.#hits.get(key) ?? []).filter((at) => t - at < this.settings.windowMs)
    if (recent.length >= this.settings.max) {
      this.#hits.set(key, recent)
      return { allowed: false, retryAfterMs: Math.max(1, recent[0] + this.settings.windowMs - t) }
    }
    recent.push(t)
    this.#hits.set(key, recent)
    this.#sweep(t)
    return { allowed: true }
  }

  #sweep (t: number): void {
    if (this.#hits.size < 1024) return
    for (const [k, hits] of this.#hits) if (hits.every((at) => t - at >= this.settings.windowMs)) this.#hits.delete(k)
  }
}
