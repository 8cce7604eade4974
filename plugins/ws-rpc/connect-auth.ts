// Shared-secret auth for `connect` (contract 1.3.5): the secret check and
// failed-auth limiter come from app.gatewayAuth; this file owns the exact
// "unauthorized: …" wording, hints and details clients render guidance from.
import type { GatewayAuth } from '../auth.js'
import type { ConnectParams } from '../../schemas/frames.js'
import { RpcError } from '../../src/errors/index.js'
import { isLoopbackAddress } from '../../src/net.js'

export type AuthMethod = 'none' | 'token' | 'password'
type FailureReason = 'token_missing' | 'token_mismatch' | 'password_missing' | 'password_mismatch' | 'rate_limited'

export type AuthOutcome =
  | { ok: true, method: AuthMethod }
  | { ok: false, reason: FailureReason, error: RpcError }

export interface AuthAttempt {
  params: ConnectParams
  ip: string
  isLocal: boolean
  /** Browser Origin header, when present. */
  origin: string | undefined
}

const DETAIL_CODES: Record<FailureReason, string> = {
  token_missing: 'AUTH_TOKEN_MISSING',
  token_mismatch: 'AUTH_TOKEN_MISMATCH',
  password_missing: 'AUTH_PASSWORD_MISSING',
  password_mismatch: 'AUTH_PASSWORD_MISMATCH',
  rate_limited: 'AUTH_RATE_LIMITED'
}

const NEXT_STEP: Record<FailureReason, string> = {
  token_missing: 'update_auth_configuration',
  password_missing: 'update_auth_configuration',
  token_mismatch: 'update_auth_credentials',
  password_mismatch: 'update_auth_credentials',
  rate_limited: 'wait_then_retry'
}

export function authenticateConnect (auth: GatewayAuth, attempt: AuthAttempt): AuthOutcome {
  if (auth.mode === 'none') return { ok: true, method: 'none' }
  const key = limiterKey(auth, attempt)
  if (key !== undefined) {
    const state = auth.limiter.check(key)
    if (state.limited) return failure('rate_limited', attempt, state.retryAfterMs)
  }
  const presented = attempt.params.auth
  const result = auth.checkSecret({ token: presented?.token, password: presented?.password })
  if (result.ok) {
    if (key !== undefined) auth.limiter.succeed(key)
    return { ok: true, method: auth.mode }
  }
  if (key !== undefined) auth.limiter.fail(key)
  return failure(result.reason, attempt, undefined)
}

/** Browser-origin attempts are always limited; on loopback they are bucketed per Origin. */
function limiterKey (auth: GatewayAuth, attempt: AuthAttempt): string | undefined {
  if (attempt.origin === undefined) return auth.limitKey(attempt.ip, 'shared')
  return isLoopbackAddress(attempt.ip) ? `shared-browser:${attempt.origin.toLowerCase()}` : `shared:${attempt.ip}`
}

function failure (reason: FailureReason, attempt: AuthAttempt, retryAfterMs: number | undefined): AuthOutcome {
  const details = {
    code: DETAIL_CODES[reason],
    authReason: reason,
    // We issue no device tokens, so a retry with one can never succeed.
    canRetryWithDeviceToken: false,
    recommendedNextStep: NEXT_STEP[reason]
  }
  const extra = reason === 'rate_limited'
    ? { details, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) }) }
    : { details }
  return { ok: false, reason, error: new RpcError('INVALID_REQUEST', failureMessage(reason, attempt), extra) }
}

export function failureMessage (reason: FailureReason, attempt: AuthAttempt): string {
  const client = attempt.params.client
  const isCli = client.mode === 'cli'
  const isUi = client.id === 'openclaw-control-ui' || client.id === 'openclaw-tui'
  const isWebchat = client.mode === 'webchat' || client.id === 'webchat-ui'
  const tokenHint = isCli
    ? (attempt.isLocal ? "use this gateway's gateway.auth.token or pair the device" : 'set gateway.remote.token to match gateway.auth.token')
    : (isUi || isWebchat ? 'open the dashboard URL and paste the token in Control UI settings' : 'provide gateway auth token')
  const passwordHint = isCli
    ? (attempt.isLocal ? "use this gateway's gateway.auth.password" : 'set gateway.remote.password to match gateway.auth.password')
    : (isUi || isWebchat ? 'enter the password in Control UI settings' : 'provide gateway auth password')
  switch (reason) {
    case 'token_missing':
      return `unauthorized: gateway token missing (${isUi || isWebchat ? 'paste in Control UI settings or openclaw doctor --generate-gateway-token; restart' : tokenHint})`
    case 'token_mismatch': return `unauthorized: gateway token mismatch (${tokenHint})`
    case 'password_missing': return `unauthorized: gateway password missing (${passwordHint})`
    case 'password_mismatch': return `unauthorized: gateway password mismatch (${passwordHint})`
    case 'rate_limited': return 'unauthorized: too many failed authentication attempts (retry later)'
  }
}
