// Starts an engine run for one HTTP request and ties their lifetimes
// together: a client that goes away before its response is finished aborts
// the run, and engine admission errors become OpenAI errors.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isAgentError } from '../../src/errors/agents.js'
import type { RunHandle } from '../../src/agents/engine.js'
import type { RunRequest } from '../../src/agents/types.js'
import type { DisconnectWatch } from '../../src/http/disconnect-watch.js'
import { fromAgentError, type AgentErrorContext } from './errors.js'

export interface BridgedRun {
  handle: RunHandle
  /** Aborts the run (the slow-reader guard uses it). */
  abort: (reason: string) => void
  /** True once the client connection closed before the response was complete. */
  readonly clientGone: boolean
}

export function startRun (app: FastifyInstance, reply: FastifyReply, req: Omit<RunRequest, 'signal'>, ctx: AgentErrorContext, disconnects: DisconnectWatch): BridgedRun {
  let handle: RunHandle
  try {
    handle = app.agents.start(req)
  } catch (err) {
    throw isAgentError(err) ? fromAgentError(err, ctx) : err
  }
  // The run is aborted through its handle rather than a caller AbortSignal.
  // `start` is synchronous, so no close can be missed before the watch begins;
  // once the run is over there is nothing left to abort.
  const bridge = new Bridge(handle)
  const release = disconnects.watch(reply.raw.socket, bridge.gone)
  handle.done.then(release, release)
  return bridge
}

class Bridge implements BridgedRun {
  clientGone = false
  constructor (readonly handle: RunHandle) {}
  readonly gone = (): void => {
    this.clientGone = true
    this.handle.abort('run aborted by the caller')
  }

  abort (reason: string): void { this.handle.abort(reason) }
}
