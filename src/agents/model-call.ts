// One model step: stream from the first target that answers, retrying
// retryable failures with jittered backoff (honouring Retry-After) and
// failing over along the chain, but only while nothing has been streamed.
import { isProviderError, type ModelRequest, type ProviderAdapter, type StopReason, type StreamEvent, type ToolCall, type Usage } from '../providers/index.js'
import type { AbortLike } from '../cancel.js'
import { AgentError, type ErrorKind } from '../errors/agents.js'
import { formatTarget, type ModelTarget } from './model-resolver.js'
import type { RunEvent } from './types.js'

export interface StepOutput {
  text: string
  toolCalls: ToolCall[]
  stopReason: StopReason
  usage: Usage
  target: ModelTarget
}

export interface StepOptions {
  chain: readonly ModelTarget[]
  adapterFor: (target: ModelTarget) => ProviderAdapter
  /** This step's request; its `model` is set per target. */
  request: ModelRequest
  onDelta: (delta: string, text: string) => void
  emit: (event: RunEvent) => void
  /** Attempts per target (1 = no retry). */
  attemptsPerTarget?: number
  maxBackoffMs?: number
  random?: () => number
}

export async function callModel (opts: StepOptions): Promise<StepOutput> {
  const attempts = opts.attemptsPerTarget ?? 2
  const chain = opts.chain
  let lastError: unknown
  for (let i = 0; i < chain.length; i++) {
    const target = chain[i]!
    if (i > 0) opts.emit({ type: 'failover', from: formatTarget(chain[i - 1]!), to: formatTarget(target), reason: reasonOf(lastError), attempt: i })
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const step = new StepCollector(opts.onDelta)
      try {
        // The request is this step's own object: setting the model keeps its shape (no copy per attempt).
        opts.request.model = target.model
        await opts.adapterFor(target).streamTo(opts.request, step.onEvents)
        return step.output(target)
      } catch (err) {
        lastError = err
        if (step.streamed || !isProviderError(err) || !err.retryable || opts.request.signal?.aborted === true) throw toAgentError(err)
        if (attempt < attempts) {
          const delayMs = backoff(attempt, err.retryAfterMs, opts.maxBackoffMs ?? 5000, opts.random ?? Math.random)
          opts.emit({ type: 'retry', target: formatTarget(target), attempt, maxAttempts: attempts, reason: err.kind, delayMs })
          await sleep(delayMs, opts.request.signal)
        }
      }
    }
  }
  throw toAgentError(lastError)
}

/** What one attempt has received so far; `streamed` once anything reached the caller (no retry after that). */
class StepCollector {
  streamed = false
  private text = ''
  private readonly calls: Array<{ id: string, name: string, arguments: string }> = []
  private stopReason: StopReason = 'stop'
  private usage: Usage = NO_USAGE

  constructor (private readonly onDelta: (delta: string, text: string) => void) {}

  readonly onEvents = (batch: StreamEvent[]): void => {
    // Text that arrives in one upstream read goes on as one delta: the split
    // of a reply into deltas is arbitrary, and every delta costs an event, a
    // chunk and a client parse downstream.
    let burst = ''
    for (const ev of batch) {
      if (ev.type === 'text-delta') { burst += ev.text; continue }
      if (burst !== '') { this.delta(burst); burst = '' }
      switch (ev.type) {
        case 'tool-call-start':
          this.streamed = true
          this.calls[ev.index] = { id: ev.id, name: ev.name, arguments: '' }
          break
        case 'tool-call-delta': {
          const call = this.calls[ev.index]
          if (call !== undefined) call.arguments += ev.argumentsDelta
          break
        }
        case 'usage': this.usage = ev.usage; break
        case 'done': this.stopReason = ev.stopReason; break
      }
    }
    if (burst !== '') this.delta(burst)
  }

  output (target: ModelTarget): StepOutput {
    const toolCalls = this.calls.filter((c) => c !== undefined)
    const stopReason = toolCalls.length > 0 && this.stopReason === 'stop' ? 'tool_calls' : this.stopReason
    return { text: this.text, toolCalls, stopReason, usage: this.usage, target }
  }

  private delta (chunk: string): void {
    this.streamed = true
    this.text += chunk
    this.onDelta(chunk, this.text)
  }
}

const NO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, totalTokens: 0 })

export function toAgentError (err: unknown): AgentError {
  if (err instanceof AgentError) return err
  if (isProviderError(err)) {
    const kind: ErrorKind = err.kind === 'rate_limit' ? 'rate_limit' : err.kind === 'timeout' ? 'timeout' : err.kind === 'context_length' ? 'context_length' : 'unknown'
    if (err.kind === 'aborted') return new AgentError('RUN_ABORTED', 'run aborted', { cause: err })
    return new AgentError('PROVIDER_FAILED', `${err.provider}${err.model !== undefined ? `/${err.model}` : ''}: ${err.message}`, {
      errorKind: kind,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      details: { provider: err.provider, model: err.model, providerErrorType: err.kind, httpStatus: err.status, providerErrorMessagePreview: err.upstreamMessage },
      cause: err
    })
  }
  return new AgentError('PROVIDER_FAILED', `model call failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
}

function reasonOf (err: unknown): string {
  return isProviderError(err) ? err.kind : 'error'
}

function backoff (attempt: number, retryAfterMs: number | undefined, cap: number, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, cap)
  const base = 200 * 2 ** (attempt - 1)
  return Math.min(cap, Math.round(base / 2 + random() * base / 2))
}

function sleep (ms: number, signal: AbortLike | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = () => { clearTimeout(t); reject(signal!.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
