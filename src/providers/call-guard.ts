// One AbortSignal per non-streaming upstream call (embeddings) that fires for
// the caller's abort or the overall deadline, remembering which fired first.
// The HTTP client only sees "aborted"; this is what lets us report `aborted`
// vs `timeout` correctly. (Streaming calls do the same in stream-call.ts
// without a signal of their own.)

export type GuardReason = 'aborted' | 'timeout'

export interface CallGuard {
  readonly signal: AbortSignal;
  reason(): GuardReason | undefined;
  dispose(): void;
}

export function createCallGuard (outer: AbortSignal | undefined, timeoutMs: number | undefined): CallGuard {
  const controller = new AbortController()
  let why: GuardReason | undefined
  let timer: NodeJS.Timeout | undefined

  const fire = (reason: GuardReason) => {
    if (why !== undefined) return
    why = reason
    controller.abort(new Error(`upstream call ${reason}`))
  }
  const onOuterAbort = () => fire('aborted')

  if (outer?.aborted) fire('aborted')
  else outer?.addEventListener('abort', onOuterAbort, { once: true })
  if (timeoutMs !== undefined && timeoutMs > 0 && why === undefined) {
    timer = setTimeout(() => fire('timeout'), timeoutMs)
  }

  return {
    signal: controller.signal,
    reason: () => why,
    dispose () {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuterAbort)
    },
  }
}
