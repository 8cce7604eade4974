// Builds and caches the HealthSnapshot (contract 1.3): a closed object made of
// the gateway's own fields plus what extenders (agents, sessions) contribute.
// A rebuild whose content differs from the last one bumps the health version
// and is handed to `onChange`, which broadcasts the `health` event.
import type { HealthSnapshot } from '../../schemas/frames.js'
import { EventLoopSampler } from './event-loop.js'
import type { HealthExtender, HealthExtension, HealthService } from './types.js'

export interface HealthOptions {
  now: () => number
  /** The config and secrets part: reload on/off and what the last failed load left. */
  configHealth: () => Pick<HealthSnapshot, 'configReload' | 'secrets'>
  onChange: (snapshot: HealthSnapshot) => void
  onExtenderError: (err: unknown) => void
}

const EXTENSION_KEYS: ReadonlyArray<keyof HealthExtension> = [
  'defaultAgentId', 'agents', 'sessions', 'heartbeatSeconds', 'channels', 'channelOrder', 'channelLabels', 'plugins', 'hooks'
]

export class LocalHealthService implements HealthService {
  readonly #opts: HealthOptions
  readonly #extenders: HealthExtender[] = []
  readonly #sampler: EventLoopSampler
  #current: HealthSnapshot
  #builtAt = 0
  #version = 0
  #fingerprint = ''
  #inflight: Promise<HealthSnapshot> | undefined

  constructor (opts: HealthOptions) {
    this.#opts = opts
    this.#sampler = new EventLoopSampler(opts.now)
    // Hello snapshots need something before the first asynchronous refresh.
    this.#current = Object.freeze(this.#base(opts.now(), {}))
  }

  get version (): number { return this.#version }

  start (): void { this.#sampler.start() }
  stop (): void { this.#sampler.stop() }

  current (): HealthSnapshot { return this.#current }

  extend (fn: HealthExtender): void { this.#extenders.push(fn) }

  async get (maxAgeMs = 0): Promise<HealthSnapshot> {
    if (this.#builtAt > 0 && this.#opts.now() - this.#builtAt <= maxAgeMs) return this.#current
    return await this.refresh()
  }

  refresh (): Promise<HealthSnapshot> {
    // Concurrent callers share one rebuild.
    this.#inflight ??= this.#rebuild().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  async #rebuild (): Promise<HealthSnapshot> {
    const started = this.#opts.now()
    const parts = await Promise.all(this.#extenders.map(async (fn) => {
      try {
        return await fn()
      } catch (err) {
        this.#opts.onExtenderError(err)
        return {}
      }
    }))
    const extension: HealthExtension = {}
    for (const part of parts) {
      for (const key of EXTENSION_KEYS) {
        if (part[key] !== undefined) (extension as Record<string, unknown>)[key] = part[key]
      }
    }
    const snapshot: HealthSnapshot = this.#base(started, extension)
    snapshot.durationMs = Math.max(0, this.#opts.now() - started)
    this.#current = Object.freeze(snapshot)
    this.#builtAt = started
    const fingerprint = fingerprintOf(snapshot)
    if (fingerprint !== this.#fingerprint) {
      this.#fingerprint = fingerprint
      this.#version++
      this.#opts.onChange(this.#current)
    }
    return this.#current
  }

  #base (ts: number, extension: HealthExtension): HealthSnapshot {
    return {
      ok: true,
      ts,
      durationMs: 0,
      eventLoop: this.#sampler.sample(),
      ...this.#opts.configHealth(),
      channels: {},
      channelOrder: [],
      channelLabels: {},
      ...extension
    }
  }
}

/** Content that matters to clients: timings and event-loop figures change on every build. */
function fingerprintOf (s: HealthSnapshot): string {
  const { ts: _ts, durationMs: _d, eventLoop, ...rest } = s
  return JSON.stringify([rest, eventLoop?.degraded, eventLoop?.reasons])
}
