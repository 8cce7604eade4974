// Cancellation for the per-request hot path. Node's AbortController is an
// EventTarget: making one and listening to its signal costs tens of
// microseconds per request under load (measured: +25 µs per HTTP request),
// more than the rest of a run's bookkeeping. `Cancel` has the same shape for
// what the hot path uses, and makes a real AbortSignal only for the APIs that
// need one (fs, child processes), on first use.

/** The part of AbortSignal that our own code reads. A real AbortSignal is one too. */
export interface AbortLike {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener: (type: 'abort', listener: () => void, options?: { once?: boolean }) => void
  removeEventListener: (type: 'abort', listener: () => void) => void
}

export class Cancel implements AbortLike {
  aborted = false
  reason: unknown = undefined
  #listeners: Array<() => void> | undefined
  #controller: AbortController | undefined

  abort (reason?: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError')
    this.#controller?.abort(this.reason)
    const listeners = this.#listeners
    this.#listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) listener()
  }

  /** As on AbortSignal: a listener added after the abort is never called; every listener runs once. */
  addEventListener (_type: 'abort', listener: () => void): void {
    if (this.aborted) return
    ;(this.#listeners ??= []).push(listener)
  }

  removeEventListener (_type: 'abort', listener: () => void): void {
    const i = this.#listeners?.indexOf(listener) ?? -1
    if (i >= 0) this.#listeners!.splice(i, 1)
  }

  /** A real AbortSignal that follows this one, for APIs that insist on one. */
  get signal (): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.aborted) this.#controller.abort(this.reason)
    }
    return this.#controller.signal
  }
}
