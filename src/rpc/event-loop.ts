// Samples event-loop delay, utilization and CPU between two health refreshes
// (the HealthSnapshot.eventLoop block). One sampler per gateway; started and
// stopped by the rpc plugin.
import { monitorEventLoopDelay, performance, type IntervalHistogram, type EventLoopUtilization } from 'node:perf_hooks'
import type { EventLoopHealth } from '../../schemas/frames.js'

const DELAY_DEGRADED_MS = 1000
const UTILIZATION_DEGRADED = 0.95
const CPU_DEGRADED = 0.95
/** Shorter windows (start-up, back-to-back refreshes) are too noisy to call the loop degraded. */
const MIN_WINDOW_MS = 1000

export class EventLoopSampler {
  readonly #histogram: IntervalHistogram
  readonly #now: () => number
  #lastAt: number
  #lastElu: EventLoopUtilization
  #lastCpu: NodeJS.CpuUsage

  constructor (now: () => number) {
    this.#now = now
    this.#histogram = monitorEventLoopDelay({ resolution: 20 })
    this.#lastAt = now()
    this.#lastElu = performance.eventLoopUtilization()
    this.#lastCpu = process.cpuUsage()
  }

  start (): void { this.#histogram.enable() }
  stop (): void { this.#histogram.disable() }

  /** Figures since the previous sample; resets the window. */
  sample (): EventLoopHealth {
    const at = this.#now()
    const intervalMs = Math.max(0, at - this.#lastAt)
    const elu = performance.eventLoopUtilization(this.#lastElu)
    const cpu = process.cpuUsage(this.#lastCpu)
    const h = this.#histogram
    const delayP99Ms = h.count > 0 ? round(h.percentile(99) / 1e6) : 0
    const delayMaxMs = h.count > 0 ? round(h.max / 1e6) : 0
    const cpuCoreRatio = intervalMs > 0 ? round((cpu.user + cpu.system) / 1000 / intervalMs) : 0
    const utilization = round(elu.utilization)
    h.reset()
    this.#lastAt = at
    this.#lastElu = performance.eventLoopUtilization()
    this.#lastCpu = process.cpuUsage()
    const reasons: EventLoopHealth['reasons'] = []
    if (intervalMs < MIN_WINDOW_MS) return { degraded: false, reasons, intervalMs, delayP99Ms, delayMaxMs, utilization, cpuCoreRatio }
    if (delayP99Ms > DELAY_DEGRADED_MS) reasons.push('event_loop_delay')
    if (utilization > UTILIZATION_DEGRADED) reasons.push('event_loop_utilization')
    if (cpuCoreRatio > CPU_DEGRADED) reasons.push('cpu')
    return { degraded: reasons.length > 0, reasons, intervalMs, delayP99Ms, delayMaxMs, utilization, cpuCoreRatio }
  }
}

function round (n: number): number { return Math.round(n * 1000) / 1000 }
