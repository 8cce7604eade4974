// A channel without per-account runtime (only start / stop / status): started
// once when its plugin registers it, stopped when the plugin goes away, and
// reported as one account, `default`, with whatever its status() returns.
import type { FastifyBaseLogger } from 'fastify'
import type { ChannelDefinition } from '../plugin-api.js'

export class SimpleChannel {
  running = false
  lastError: string | null = null
  lastStartAt: number | null = null
  lastStopAt: number | null = null
  private abort: AbortController | undefined

  constructor (readonly def: ChannelDefinition, private readonly log: FastifyBaseLogger, private readonly now: () => number) {}

  async start (): Promise<void> {
    if (this.running || this.def.start === undefined) return
    this.abort = new AbortController()
    try {
      await this.def.start({ signal: this.abort.signal, log: this.log })
      Object.assign(this, { running: true, lastError: null, lastStartAt: this.now() })
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err)
      this.log.error({ error: this.lastError }, `channel ${this.def.id} failed to start`)
    }
  }

  async stop (): Promise<void> {
    this.abort?.abort()
    if (!this.running) return
    try {
      await this.def.stop?.()
    } catch (err) {
      this.log.warn({ error: err instanceof Error ? err.message : String(err) }, `channel ${this.def.id} failed to stop`)
    }
    Object.assign(this, { running: false, lastStopAt: this.now() })
  }

  /** The channel's own status (2 s at most), merged over what the layer knows. */
  async snapshot (): Promise<Record<string, unknown>> {
    let own: Record<string, unknown> = {}
    if (this.def.status !== undefined) {
      let timer: NodeJS.Timeout | undefined
      try {
        own = await Promise.race([
          Promise.resolve().then(this.def.status),
          new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error('status timed out after 2000 ms')) }, 2000) })
        ])
        own = typeof own === 'object' && own !== null ? JSON.parse(JSON.stringify(own)) as Record<string, unknown> : {}
      } catch (err) {
        own = { lastError: err instanceof Error ? err.message : String(err) }
      } finally {
        clearTimeout(timer)
      }
    }
    return {
      configured: true,
      running: this.running,
      lastError: this.lastError,
      lastStartAt: this.lastStartAt,
      lastStopAt: this.lastStopAt,
      ...own,
      accountId: 'default'
    }
  }
}
