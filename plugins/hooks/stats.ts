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

  /** Most recent first. */
  list (): Delivery[] { return this.recent.slice().reverse() }
}
