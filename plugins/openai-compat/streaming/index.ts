// Streams one run as an event-stream reply. `streamRun` reads the run's events,
// asks the format for their text and hands it to the writer: route → stream →
// format, writer, and nothing calls back up. The stream is committed on the
// first delta or tool activity, so a run that fails before it gets a real status.
import type { FastifyReply } from 'fastify'
import type { RunEvent, RunResult } from '../../../src/agents/types.js'
import { fromRunResult } from '../errors.js'
import type { BridgedRun } from '../run-bridge.js'
import type { StreamFormat } from './format.js'
import { SseWriter, type KeepAlive } from './writer.js'

export { chatChunks } from './chat.js'
export type { StreamFormat } from './format.js'
export { responseEvents, type ResponseEvents } from './responses.js'
export { KeepAlive, MAX_BUFFERED_BYTES } from './writer.js'

/** Resolves with the run's result once written (undefined when the client left); rejects, nothing written, when it failed before any output. */
export function streamRun (reply: FastifyReply, run: BridgedRun, format: StreamFormat, keepAlive: KeepAlive): Promise<RunResult | undefined> {
  return new RunStream(reply, run, format, keepAlive).done
}

// One object per streamed request: this is on the path of every streamed
// answer, where a closure per callback added up.
class RunStream {
  readonly done: Promise<RunResult | undefined>
  private readonly sse: SseWriter
  private resolve!: (result: RunResult | undefined) => void
  private reject!: (err: unknown) => void
  private readonly unlisten: () => void

  constructor (private readonly reply: FastifyReply, private readonly run: BridgedRun, private readonly format: StreamFormat, keepAlive: KeepAlive) {
    this.sse = new SseWriter(reply, format.opening, run, keepAlive)
    this.done = new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject })
    this.unlisten = run.handle.listen(this.onEvent)
  }

  private readonly onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'delta':
        this.sse.commit()
        this.sse.write(this.format.delta(event.delta))
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
    sse.end(result.status === 'ok' ? this.format.ok(result) : this.format.failed(result), this.format.terminator)
    this.resolve(result)
  }
}
