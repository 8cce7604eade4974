// Failed-auth limiter: per client key, `maxAttempts` failures inside `windowMs`
// lock the key out for `lockoutMs`. Shared by HTTP and WS so that one budget
// covers both surfaces. A Map swept by a timer, not a size-bounded cache:
// evicting a bucket would lift a lockout, so flooding keys must not evict.
export interface RateLimitSettings { maxAttempts: number, windowMs: number, lockoutMs: number, exemptLoopback: boolean }

interface Bucket { failures: number, windowStart: number, lockedUntil: number }

export interface LimitState { limited: boolean, retryAfterMs: number }

export class AuthRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private settings: RateLimitSettings
  private readonly now: () => number

  constructor (settings: RateLimitSettings, now: () => number = Date.now) {
    this.settings = settings
    this.now = now
  }

  update (settings: RateLimitSettings): void { this.settings = settings }

  isExempt (loopback: boolean): boolean { return loopback && this.settings.exemptLoopback }

  check (key: string): LimitState {
    const b = this.buckets.get(key)
    const t = this.now()
    if (b === undefined || b.lockedUntil <= t) return { limited: false, retryAfterMs: 0 }
    return { limited: true, retryAfterMs: b.lockedUntil - t }
  }

  /** Records one failure; returns the state after it (limited once the budget is spent). */
  fail (key: string): LimitState {
    const t = this.now()
    let b = this.buckets.get(key)
    if (b === undefined || t - b.windowStart > this.settings.windowMs) {
      b = { failures: 0, windowStart: t, lockedUntil: 0 }
      this.buckets.set(key, b)
    }
    b.failures++
    if (b.failures >= this.settings.maxAttempts) {
      b.lockedUntil = t + this.settings.lockoutMs
      return { limited: true, retryAfterMs: this.settings.lockoutMs }
    }
    return { limited: false, retryAfterMs: 0 }
  }

  succeed (key: string): void { this.buckets.delete(key) }

  /** Drops expired buckets; called from a timer owned by the auth plugin. */
  sweep (): void {
    const t = this.now()
    for (const [k, b] of this.buckets) {
      if (b.lockedUntil <= t && t - b.windowStart > this.settings.windowMs) this.buckets.delete(k)
    }
  }

  get size (): number { return this.buckets.size }
}
