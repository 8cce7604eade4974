// The RpcContext handed to handlers: a thin view over the connection plus
// the request's cancellation state. The AbortController is created lazily,
// because most handlers never look at the signal.
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { ClientInfo, Role, RpcContext, SessionSubscriptions } from './types.js'

export interface InflightRequest {
  controller: AbortController | undefined
  cancelled: boolean
}

/** The connection as the dispatcher sees it (implemented by ws-rpc's Connection). */
export interface RpcPeer {
  readonly connId: string
  readonly client: ClientInfo
  readonly role: Role
  readonly scopes: readonly string[]
  readonly scopeSet: ReadonlySet<string>
  readonly caps: ReadonlySet<string>
  readonly deviceId: string | undefined
  readonly ip: string
  readonly log: Logger
  readonly sessions: SessionSubscriptions
  readonly state: Map<string, unknown>
  readonly open: boolean
  readonly inflight: Map<string, InflightRequest>
  send: (frame: string) => void
  sendEvent: (event: string, payload: unknown) => void
  /** Counts a role/scope denial; the peer closes itself past the flood limit. */
  unauthorized: () => void
}

/** Aborts one request (cancel frame) or all of them (disconnect). */
export function abortInflight (req: InflightRequest, reason: string): void {
  req.cancelled = true
  req.controller?.abort(new Error(reason))
}

export class RequestContext implements RpcContext {
  readonly #peer: RpcPeer
  readonly #inflight: InflightRequest
  readonly #onAck: (payload: unknown) => void
  #acked = false

  constructor (peer: RpcPeer, inflight: InflightRequest, onAck: (payload: unknown) => void) {
    this.#peer = peer
    this.#inflight = inflight
    this.#onAck = onAck
  }

  get connId (): string { return this.#peer.connId }
  get client (): ClientInfo { return this.#peer.client }
  get role (): Role { return this.#peer.role }
  get scopes (): readonly string[] { return this.#peer.scopes }
  get caps (): ReadonlySet<string> { return this.#peer.caps }
  get deviceId (): string | undefined { return this.#peer.deviceId }
  get ip (): string { return this.#peer.ip }
  get log (): Logger { return this.#peer.log }
  get sessions (): SessionSubscriptions { return this.#peer.sessions }
  get state (): Map<string, unknown> { return this.#peer.state }

  get signal (): AbortSignal {
    const req = this.#inflight
    if (req.controller === undefined) {
      req.controller = new AbortController()
      if (req.cancelled) req.controller.abort(new Error('request cancelled'))
    }
    return req.controller.signal
  }

  ack (payload: unknown): void {
    if (this.#acked) return
    this.#acked = true
    this.#onAck(payload)
  }

  sendEvent (event: string, payload: unknown): void {
    this.#peer.sendEvent(event, payload)
  }
}
