// The error catalogue: every error the gateway raises is defined in this
// folder, one file per domain (agents, providers, sessions, tools, rpc, client;
// gateway-wide ones here), each with stable codes. Surfaces translate them into
// their own envelope (Fastify's default, the OpenAI shape under /v1, or the RPC
// error in WS frames): plugins/openai-compat/errors.ts, src/agents/rpc-errors.ts.
import createError from '@fastify/error'

/** Exit codes the supervisor relies on (systemd RestartPreventExitStatus=78). */
export const EXIT_CONFIG = 78
export const EXIT_FAILURE = 1

/** A start-up failure: the message is the operator-facing line, `exitCode` the process status. */
export class StartupError extends Error {
  readonly code: string
  readonly exitCode: number
  constructor (code: string, message: string, exitCode: number = EXIT_CONFIG) {
    super(message)
    this.name = 'StartupError'
    this.code = code
    this.exitCode = exitCode
  }
}

export interface ConfigIssue { path: string, message: string }

/** The config file could not be read, parsed or validated. */
export class ConfigError extends StartupError {
  readonly file: string
  readonly issues: ConfigIssue[]
  constructor (file: string, issues: ConfigIssue[]) {
    super('CONFIG_INVALID', issues.map((i) => `invalid config ${file}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`).join('\n'))
    this.name = 'ConfigError'
    this.file = file
    this.issues = issues
  }
}

/** Error codes of the WS RPC error shape (contract 1.4). */
export type RpcErrorCode = 'INVALID_REQUEST' | 'FORBIDDEN' | 'UNAVAILABLE' | 'NOT_PAIRED'

export interface RpcErrorShape {
  code: RpcErrorCode
  message: string
  details?: unknown
  retryable?: boolean
  retryAfterMs?: number
}

/** Thrown by RPC handlers; ws-rpc serialises it into `res.error` verbatim. */
export class RpcError extends Error {
  readonly code: RpcErrorCode
  readonly details?: unknown
  readonly retryable?: boolean
  readonly retryAfterMs?: number
  constructor (code: RpcErrorCode, message: string, extra: Omit<RpcErrorShape, 'code' | 'message'> = {}) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    if (extra.details !== undefined) this.details = extra.details
    if (extra.retryable !== undefined) this.retryable = extra.retryable
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs
  }

  toShape (): RpcErrorShape {
    const shape: RpcErrorShape = { code: this.code, message: this.message }
    if (this.details !== undefined) shape.details = this.details
    if (this.retryable !== undefined) shape.retryable = this.retryable
    if (this.retryAfterMs !== undefined) shape.retryAfterMs = this.retryAfterMs
    return shape
  }
}

// HTTP errors. `type` is what the OpenAI envelope reports; handlers throw these
// and the surface's error handler renders them.
export const ERR_UNAUTHORIZED = createError('GW_ERR_UNAUTHORIZED', 'Unauthorized', 401)
export const ERR_AUTH_RATE_LIMITED = createError('GW_ERR_AUTH_RATE_LIMITED', 'Too many failed authentication attempts. Please try again later.', 429)
/** An identity-bearing HTTP caller lacks the operator scope a route needs (contract 3.1). */
export const ERR_MISSING_SCOPE = createError('GW_ERR_MISSING_SCOPE', 'missing scope: %s', 403)
export const ERR_INVALID_REQUEST = createError('GW_ERR_INVALID_REQUEST', '%s', 400)
export const ERR_NOT_FOUND = createError('GW_ERR_NOT_FOUND', '%s', 404)
export const ERR_METHOD_NOT_ALLOWED = createError('GW_ERR_METHOD_NOT_ALLOWED', 'Method Not Allowed', 405)
export const ERR_UPSTREAM = createError('GW_ERR_UPSTREAM', '%s', 502)
export const ERR_UNAVAILABLE = createError('GW_ERR_UNAVAILABLE', '%s', 503)
export const ERR_TIMEOUT = createError('GW_ERR_TIMEOUT', '%s', 504)
