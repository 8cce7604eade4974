// Client-side failures, each with a stable code the CLI turns into a message,
// a hint and an exit status.
import type { RpcErrorShape } from '../client/frames.js'

export type ClientErrorCode =
  | 'UNREACHABLE' // nothing accepted the TCP/WS connection
  | 'UNAUTHORIZED' // the gateway refused our credentials
  | 'NOT_PAIRED' // the gateway wants device pairing
  | 'CONNECT_REJECTED' // connect refused for another reason (protocol, origin, starting…)
  | 'HANDSHAKE_TIMEOUT'
  | 'PROTOCOL' // the peer does not speak the gateway protocol
  | 'CLOSED' // the connection dropped while a request was pending
  | 'TIMEOUT' // a request got no response in time
  | 'RPC_ERROR' // the gateway answered a request with an error

export class GatewayClientError extends Error {
  readonly code: ClientErrorCode
  readonly url: string
  readonly rpc: RpcErrorShape | undefined
  readonly closeCode: number | undefined

  constructor (code: ClientErrorCode, message: string, extra: { url: string, rpc?: RpcErrorShape, closeCode?: number }) {
    super(message)
    this.name = 'GatewayClientError'
    this.code = code
    this.url = extra.url
    this.rpc = extra.rpc
    this.closeCode = extra.closeCode
  }
}

/** A socket-level failure before hello-ok. */
export function socketError (url: string, err: Error & { code?: string }): GatewayClientError {
  const status = /Unexpected server response: (\d+)/.exec(err.message)
  if (status !== null) {
    return new GatewayClientError('PROTOCOL', `${url} answered HTTP ${status[1]} instead of a WebSocket upgrade (is this an OpenClaw gateway?)`, { url })
  }
  const detail = err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)
  return new GatewayClientError('UNREACHABLE', `gateway not reachable at ${url} (${detail})`, { url })
}

/** The gateway refused `connect` (error res or close reason). */
export function connectError (url: string, error: RpcErrorShape, closeCode?: number): GatewayClientError {
  const detail = (error.details as { code?: unknown } | undefined)?.code
  const extra = { url, rpc: error, ...(closeCode === undefined ? {} : { closeCode }) }
  if (error.code === 'NOT_PAIRED' || detail === 'PAIRING_REQUIRED') return new GatewayClientError('NOT_PAIRED', error.message, extra)
  if (error.message.startsWith('unauthorized') || (typeof detail === 'string' && detail.startsWith('AUTH_'))) {
    return new GatewayClientError('UNAUTHORIZED', error.message, extra)
  }
  return new GatewayClientError('CONNECT_REJECTED', `gateway at ${url} refused the connection: ${error.message}`, extra)
}
