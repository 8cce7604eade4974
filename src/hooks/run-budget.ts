// The loop guard of hook deliveries: each mapping (and /hooks/agent, /hooks/wake)
// may start at most `max` runs per sliding window. A run that calls back into
// hooks (a tool posting to a webhook that maps back here) stops at the bound.
export interface RunBudgetLimits { max: number, windowMs: number }

export const DEFAULT_RUN_BUDGET: RunBudgetLimits = { max: 30, windowMs: 60_000 }

export class RunBudget {
  private readonly starts = new Map<string, number[]>()
  constructor (private readonly limits: RunBudgetLimits, private readonly now: () => number) {}

  /** Takes `n` starts for `key`, all or none; answers how long to wait (ms) when the window is full. */
  take (key: string, n: number): { ok: true } | { ok: false, retryAfterMs: number } {
    const t = this.now()
    const cutoff = t - this.limits.windowMs
    const list = (this.starts.get(key) ?? []).filter((at) => at > cutoff)
    if (list.length + n > this.limits.max) {
      this.starts.set(key, list)
      const freeAt = list.length === 0 ? t : list[Math.min(list.length - 1, list.length + n - this.limits.max - 1)]! + this.limits.windowMs
      return { ok: false, retryAfterMs: Math.max(1000, freeAt - t) }
    }
    for (let i = 0; i < n; i++) list.push(t)
    this.starts.set(key, list)
    return { ok: true }
  }

  /** Drops keys whose window is empty (called by the hooks sweeper). */
  sweep (): void {
    const cutoff = this.now() - this.limits.windowMs
    for (const [key, list] of this.starts) if (list.every((at) => at <= cutoff)) this.starts.delete(key)
  }
}
