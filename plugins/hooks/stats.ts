// Delivery counters for `hooks.status` and `health`: authenticated requests
// only, the last few kept for the operator to see what came in.
import type { HooksStatus } from '../../schemas/hooks.js'

type Delivery = HooksStatus['recent'][number]

const RECENT = 20

export class HookStats {
  deliveries = 0
  failures = 0
  authFailures = 0
  private readonly recent: Delivery[] = []

  record (d: Delivery): void {
    if (d.status >= 400) this.failures++
    else this.deliveries++
    this.recent.push(d)
    if (this.recent.length > RECENT) this.recent.shift()
  }

  /** Counters a previous process saved (the recent list is not kept). */
  restore (saved: { deliveries: number, failures: number, authFailures: number }): void {
    this.deliveries += saved.deliveries
    this.failures += saved.failures
    this.authFailures += saved.authFailures
  }

  /** Most recent first. */
  list (): Delivery[] { return this.recent.slice().reverse() }
}
