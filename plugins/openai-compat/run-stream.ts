// What every event-stream reply of a run shares, whatever its wire format:
// the stream is committed on the first delta or tool activity; a run that
// fails before that is rejected, so the route answers a real status; a
// client that left gets nothing more; otherwise the format writes its closing
// events (or its in-stream error) and the stream ends with [DONE].
// One object per streamed request (the format is a subclass): this is on the
// path of every streamed answer, where a closure per callback added up.
import type { FastifyReply } from 'fastify'
import type { RunEvent, RunResult } from '../../src/agents/types.js'
import { fromRunResult } from './errors.js'
import type { BridgedRun } from './run-bridge.js'
import { SseWriter, type KeepAlive, type SseHooks } from './sse-writer.js'

export abstract class RunStream implements SseHooks {
  /** Resolves with the run's result once written (undefined when the client left); rejects when it failed before any output. */
  readonly done: Promise<RunResult | undefined>
  protected readonly sse: SseWriter
  private resolve!: (result: RunResult | undefined) => void
  private reject!: (err: unknown) => void
  private readonly unlisten: () => void

  constructor (private readonly reply: FastifyReply, private readonly run: BridgedRun, keepAlive: KeepAlive) {
    this.sse = new SseWriter(reply, this, keepAlive)
    this.done = new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject })
    this.unlisten = run.handle.listen(this.onEvent)
  }

  /** The stream's opening events, written right after the headers. */
  abstract onCommit (): void
  /** Text of the run, once the stream is committed. */
  protected abstract delta (text: string): void
  /** The run ended well: its closing events. */
  protected abstract ok (result: RunResult): void
  /** It failed after the first byte: the status is already 200, so the error travels in the stream. */
  protected abstract failed (result: RunResult): void

  onOverflow (): void { this.run.abort('client is not reading the stream') }

  private readonly onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'delta':
        this.sse.commit()
        this.delta(event.delta)
        break
      case 'tool-start':
        // The agent is working: let the client see the stream is alive.
        this.sse.commit()
        break
      case 'end':
        this.finish(event.result)
        break
    }
  }

  private finish (result: RunResult): void {
    this.unlisten()
    const sse = this.sse
    sse.stop()
    if (this.run.clientGone) {
      if (!sse.isCommitted) this.reply.hijack()
      this.resolve(undefined)
      return
    }
    if (!sse.isCommitted && result.status !== 'ok') { this.reject(fromRunResult(result)); return }
    sse.commit()
    if (result.status === 'ok') this.ok(result)
    else this.failed(result)
    sse.end()
    this.resolve(result)
  }
}
