// One admitted run as the engine and its callers see it: identity, the
// cancellation, live listeners, the bus publisher and, at the end, the
// result. One object per run instead of a handful of closures: this is on the
// path of every request.
import { Cancel } from '../cancel.js'
import type { Linkable } from '../linked-list.js'
import { AgentError } from '../errors/agents.js'
import { createRunPublisher, type Listening, type Publish } from './run-events.js'
import type { RunEvent, RunListener, RunResult } from './types.js'

export interface RunHandle {
  readonly runId: string
  readonly sessionKey: string
  readonly agentId: string
  readonly acceptedAt: number
  readonly done: Promise<RunResult>
  readonly result: RunResult | undefined
  abort: (reason?: string) => void
  /** Live events of this run (the HTTP surface streams from here). */
  listen: (listener: RunListener) => () => void
}

export interface RunOutlets {
  publish: Publish
  listening: Listening
  logger: { warn: (obj: object, msg?: string) => void, info: (obj: object, msg?: string) => void }
  now: () => number
}

export class ActiveRun implements RunHandle, Linkable<ActiveRun> {
  readonly cancel = new Cancel()
  prevLink: ActiveRun | undefined = undefined
  nextLink: ActiveRun | undefined = undefined
  linked = false
  /** When a long run times out (engine clock), and after how long; Infinity when a timer of its own watches it. */
  deadline = Infinity
  timeoutMs = 0
  result: RunResult | undefined = undefined
  done: Promise<RunResult> = NEVER
  private listeners: RunListener[] | undefined = undefined
  /** Built when someone first listens on the bus: most HTTP runs never need one. */
  private toBus: ((e: RunEvent) => void) | undefined = undefined
  /** A held turn's bus events (RunRequest.keepTurn): published at the end, or dropped with the turn. */
  private held: RunEvent[] | undefined

  constructor (
    readonly runId: string,
    readonly sessionKey: string,
    readonly agentId: string,
    readonly acceptedAt: number,
    private readonly outlets: RunOutlets,
    holdEvents = false
  ) {
    if (holdEvents) this.held = []
  }

  /** Every event of the run: logged when notable, published, and handed to live listeners. */
  readonly emit = (e: RunEvent): void => {
    const { outlets } = this
    if (e.type === 'failover') outlets.logger.warn({ runId: this.runId, sessionKey: this.sessionKey, from: e.from, to: e.to, reason: e.reason }, `model failover: ${e.from} → ${e.to} (${e.reason})`)
    else if (e.type === 'retry') outlets.logger.info({ runId: this.runId, sessionKey: this.sessionKey, target: e.target, attempt: e.attempt, reason: e.reason, delayMs: e.delayMs }, `model retry: ${e.target} (${e.reason}) in ${e.delayMs} ms`)
    if (this.held !== undefined) this.hold(e)
    else this.publish(e)
    const listeners = this.listeners
    if (listeners === undefined) return
    // One listener (the HTTP stream) is the usual case: no snapshot to copy per event.
    if (listeners.length === 1) listeners[0]!(e)
    else for (const l of listeners.slice()) l(e)
  }

  private publish (e: RunEvent): void {
    const { outlets } = this
    if (this.toBus === undefined && outlets.listening()) {
      this.toBus = createRunPublisher(outlets.publish, outlets.listening, { runId: this.runId, sessionKey: this.sessionKey, agentId: this.agentId }, outlets.now)
    }
    this.toBus?.(e)
  }

  private hold (e: RunEvent): void {
    if (e.type !== 'end') {
      const held = this.held!
      const last = held.at(-1)
      // Consecutive deltas merge: a held reply costs its text, not an event per token.
      if (e.type === 'delta' && last?.type === 'delta') held[held.length - 1] = { type: 'delta', delta: last.delta + e.delta, text: e.text }
      else held.push(e)
      return
    }
    const held = this.held!
    this.held = undefined
    if (e.result.pruned === true) return
    for (const h of held) this.publish(h)
    this.publish(e)
  }

  /** Whether any of its events went out on the bus (they carry the run id). */
  get published (): boolean { return this.toBus !== undefined }

  abort (reason?: string): void {
    if (this.result === undefined && !this.cancel.aborted) this.cancel.abort(new AgentError('RUN_ABORTED', reason ?? 'run aborted'))
  }

  listen (listener: RunListener): () => void {
    ;(this.listeners ??= []).push(listener)
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1
      if (i >= 0) this.listeners!.splice(i, 1)
    }
  }
}

const NEVER: Promise<never> = new Promise(() => {})
