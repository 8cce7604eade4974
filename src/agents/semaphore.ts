// The global cap on concurrent runs (runs of one session are serialized by
// the engine's KeyedQueue; different sessions go concurrently up to this cap).
import type { AbortLike } from '../cancel.js'

export class Semaphore {
  private active = 0
  private readonly waiters: Array<() => void> = []
  constructor (private limit: number) {}

  setLimit (limit: number): void {
    this.limit = limit
    this.drain()
  }

  /** A slot now, or undefined when all are taken (no promise on the common path). */
  tryAcquire (): (() => void) | undefined {
    if (this.active >= this.limit) return undefined
    this.active++
    return this.releaser()
  }

  async acquire (signal?: AbortLike): Promise<() => void> {
    const now = this.tryAcquire()
    if (now !== undefined) return now
    await new Promise<void>((resolve, reject) => {
      const grant = () => { signal?.removeEventListener('abort', onAbort); resolve() }
      const onAbort = () => {
        const i = this.waiters.indexOf(grant)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(signal!.reason)
      }
      this.waiters.push(grant)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    this.active++
    return this.releaser()
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.active--
      this.drain()
    }
  }

  private drain (): void {
    while (this.active < this.limit && this.waiters.length > 0) this.waiters.shift()!()
  }
}
