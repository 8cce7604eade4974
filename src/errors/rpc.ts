// The RPC errors the control plane raises itself, in one place so the exact
// wire messages (contract 1.4) are not scattered across the dispatcher.
import { RpcError, type RpcErrorShape } from './index.js'

export const INTERNAL_ERROR: RpcErrorShape = Object.freeze({ code: 'UNAVAILABLE', message: 'internal error' })

export const unknownMethod = (method: string) => new RpcError('INVALID_REQUEST', `unknown method: ${method}`)

export const invalidParams = (method: string, detail: string) =>
  new RpcError('INVALID_REQUEST', `invalid ${method} params: ${detail}`)

export const invalidFrame = (detail: string) => new RpcError('INVALID_REQUEST', `invalid request frame: ${detail}`)

export const unauthorizedRole = (role: string) => new RpcError('INVALID_REQUEST', `unauthorized role: ${role}`)

export const missingScope = (scope: string) => new RpcError('FORBIDDEN', `missing scope: ${scope}`, {
  details: { code: 'MISSING_SCOPE', missingScope: scope, requiredScopes: [scope] }
})

export const gatewayClosing = () => new RpcError('UNAVAILABLE', 'gateway closing before request dispatch', { retryable: true })

export const requestCancelled = () => new RpcError('UNAVAILABLE', 'request cancelled')

/** Errors counted by the unauthorized-call flood guard. */
export function isAuthorizationError (err: RpcError): boolean {
  return err.code === 'FORBIDDEN' || err.message.startsWith('unauthorized role:')
}

/** Thrown by the registry for programming mistakes (duplicate or malformed registrations). */
export class RpcRegistryError extends Error {
  readonly code: 'RPC_METHOD_DUPLICATE' | 'RPC_METHOD_INVALID'
  constructor (code: RpcRegistryError['code'], message: string) {
    super(message)
    this.name = 'RpcRegistryError'
    this.code = code
  }
}
