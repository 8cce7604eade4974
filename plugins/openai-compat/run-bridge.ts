// Starts an engine run for one HTTP request and ties their lifetimes
// together: a client that goes away before its response is finished aborts
// the run, and engine admission errors become OpenAI errors.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isAgentError } from '../../src/agents/errors.js'
import type { RunHandle } from '../../src/agents/engine.js'
import type { RunRequest } from '../../src/agents/types.js'
import { fromAgentError, type AgentErrorContext } from './errors.js'

export interface BridgedRun {
  handle: RunHandle
  /** Aborts the run (the slow-reader guard uses it). */
  abort: (reason: string) => void
  /** True once the client connection closed before the response was complete. */
  readonly clientGone: boolean
}

export function startRun (app: FastifyInstance, reply: FastifyReply, req: Omit<RunRequest, 'signal'>, ctx: AgentErrorContext): BridgedRun {
  let handle: RunHandle
  try {
    handle = app.agents.start(req)
  } catch (err) {
    throw isAgentError(err) ? fromAgentError(err, ctx) : err
  }
  let clientGone = false
  const res = reply.raw
  // The run is aborted through its handle rather than a caller AbortSignal:
  // one AbortController and two event-target listeners less per request.
  // `start` is synchronous, so no `close` can be missed before this line.
  // `close` on the response also fires after a normal finish; only an unfinished one means the client left.
  res.once('close', () => {
    if (res.writableFinished) return
    clientGone = true
    handle.abort('run aborted by the caller')
  })
  return {
    handle,
    abort: (reason) => { handle.abort(reason) },
    get clientGone () { return clientGone }
  }
}
