// Engine and store errors as RPC errors (contract 1.4 codes and messages).
import { RpcError } from '../errors/index.js'
import { isSessionError } from '../sessions/index.js'
import { isAgentError } from '../errors/agents.js'

export function toRpcError (err: unknown, method: string): RpcError {
  if (err instanceof RpcError) return err
  if (isAgentError(err)) {
    switch (err.code) {
      case 'AGENT_UNKNOWN':
        return new RpcError('INVALID_REQUEST', `invalid ${method} params: ${err.message}`, { details: { code: 'UNKNOWN_AGENT_ID' } })
      case 'MESSAGE_EMPTY':
      case 'MODEL_UNKNOWN':
      case 'ATTACHMENT_TOO_LARGE':
      case 'ATTACHMENT_INVALID':
        return new RpcError('INVALID_REQUEST', `invalid ${method} params: ${err.message}`, { details: { code: err.code } })
      default:
        return new RpcError('UNAVAILABLE', err.message, {
          details: { code: err.code, errorKind: err.errorKind, ...err.details },
          ...(err.retryAfterMs !== undefined ? { retryable: true, retryAfterMs: err.retryAfterMs } : {})
        })
    }
  }
  // A failed disk is the gateway's problem, not the caller's params.
  if (isSessionError(err) && (err.code === 'SESSION_IO_ERROR' || err.code === 'SESSION_DISK_FULL')) {
    return new RpcError('UNAVAILABLE', err.message, { details: { code: err.code } })
  }
  if (isSessionError(err)) return new RpcError('INVALID_REQUEST', `invalid ${method} params: ${err.message}`, { details: { code: err.code } })
  throw err
}

/** An RPC handler whose engine and store errors reach the client as RPC errors named for `method`. */
export function withRpcErrors<A extends unknown[], R> (method: string, handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args)
    } catch (err) {
      throw toRpcError(err, method)
    }
  }
}
