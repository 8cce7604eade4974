// One AbortSignal per upstream call that fires for the caller's abort, the overall deadline, or
// the post-completion drain grace, while remembering which of them fired first. The HTTP client
// only sees "aborted"; this is what lets us report `aborted` vs `timeout` correctly.

export type GuardReason = 'aborted' | 'timeout' | 'drained'

export interface CallGuard {
  readonly signal: AbortSignal;
  reason(): GuardReason | undefined;
  /** After a complete answer, give the rest of the body a short while to end so the socket is reusable. */
  drainWithin(ms: number): void;
  dispose(): void;
}

export function createCallGuard (outer: AbortSignal | undefined, timeoutMs: number | undefined): CallGuard {
  const controller = new AbortController()
  let why: GuardReason | undefined
  const timers: NodeJS.Timeout[] = []

  const fire = (reason: GuardReason) => {
    if (why !== undefined) return
    why = reason
    controller.abort(new Error(`upstream call ${reason}`))
  }
  const onOuterAbort = () => fire('aborted')

  if (outer?.aborted) fire('aborted')
  else outer?.addEventListener('abort', onOuterAbort, { once: true })
  if (timeoutMs !== undefined && timeoutMs > 0 && why === undefined) {
    timers.push(setTimeout(() => fire('timeout'), timeoutMs))
  }

  return {
    signal: controller.signal,
    reason: () => why,
    drainWithin (ms) {
      timers.push(setTimeout(() => fire('drained'), ms))
    },
    dispose () {
      for (const timer of timers) clearTimeout(timer)
      outer?.removeEventListener('abort', onOuterAbort)
    },
  }
}
