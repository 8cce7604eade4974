import type { AbortLike } from '../cancel.js'

// Runs for one session are serialized (a lane per session key); runs of
// different sessions go concurrently up to a global cap.
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

export class SessionLanes {
  private readonly tails = new Map<string, Promise<void>>()

  /** Runs `task` after every earlier task of the same key has settled. */
  run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(task, task)
    const tail = result.then(() => {}, () => {})
    this.tails.set(key, tail)
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key) })
    return result
  }

  isBusy (key: string): boolean { return this.tails.has(key) }
}
