// What every event-stream reply of a run shares, whatever its wire format:
// the stream is committed on the first delta or tool activity; a run that
// fails before that is rejected, so the route answers a real status; a
// client that left gets nothing more; otherwise the format writes its closing
// events (or its in-stream error) and the stream ends with [DONE].
import type { FastifyReply } from 'fastify'
import type { RunEvent, RunResult } from '../../src/agents/types.js'
import { fromRunResult } from './errors.js'
import type { BridgedRun } from './run-bridge.js'
import type { SseWriter } from './sse-writer.js'

export interface StreamFormat {
  /** Text of the run, once the stream is committed. */
  delta: (text: string) => void
  /** The run ended well: its closing events. */
  ok: (result: RunResult) => void
  /** It failed after the first byte: the status is already 200, so the error travels in the stream. */
  failed: (result: RunResult) => void
}

/** Resolves with the run's result once written (undefined when the client left); rejects when it failed before any output. */
export function streamRun (reply: FastifyReply, run: BridgedRun, sse: SseWriter, format: StreamFormat): Promise<RunResult | undefined> {
  return new Promise((resolve, reject) => {
    const finish = (result: RunResult) => {
      unlisten()
      sse.stop()
      if (run.clientGone) {
        if (!sse.isCommitted) reply.hijack()
        resolve(undefined)
        return
      }
      if (!sse.isCommitted && result.status !== 'ok') { reject(fromRunResult(result)); return }
      sse.commit()
      if (result.status === 'ok') format.ok(result)
      else format.failed(result)
      sse.end()
      resolve(result)
    }
    const unlisten = run.handle.listen((event: RunEvent) => {
      switch (event.type) {
        case 'delta':
          sse.commit()
          format.delta(event.delta)
          break
        case 'tool-start':
          // The agent is working: let the client see the stream is alive.
          sse.commit()
          break
        case 'end':
          finish(event.result)
          break
      }
    })
  })
}
