// Failures of the OpenAI surface: catalogued errors carrying what the OpenAI
// envelope needs (param, code, headers), the mapping from engine and provider
// errors to HTTP statuses, and the rendering used by the error handler and by
// the event streams (which can no longer change their status).
import createError from '@fastify/error'
import type { FastifyError } from 'fastify'
import { AgentError, isAgentError } from '../../src/errors/agents.js'
import { toAgentError } from '../../src/agents/model-call.js'
import type { RunResult } from '../../src/agents/types.js'
import { ERR_INVALID_REQUEST, ERR_NOT_FOUND, ERR_TIMEOUT, ERR_UNAVAILABLE, ERR_UPSTREAM } from '../../src/errors/index.js'
import { codeOf, openAiError, type OpenAiErrorBody } from '../../src/http/openai-error.js'
import { isProviderError } from '../../src/providers/index.js'

/** The upstream model API is rate limiting us; the client gets its Retry-After. */
export const ERR_UPSTREAM_RATE_LIMITED = createError('GW_ERR_UPSTREAM_RATE_LIMITED', '%s', 429)
/** The conversation does not fit the model: the client's to shorten, so a 400. */
export const ERR_CONTEXT_LENGTH = createError('GW_ERR_CONTEXT_LENGTH', '%s', 400)
export const ERR_INTERNAL = createError('GW_ERR_INTERNAL', '%s', 500)

/** What the OpenAI envelope needs beyond status and message. */
export interface OpenAiErrorExtras {
  param?: string | null
  /** Overrides the code derived from the error's catalogue code. */
  openaiCode?: string
  headers?: Record<string, string>
}

type GatewayError = FastifyError & OpenAiErrorExtras

function withExtras (err: FastifyError, extras: OpenAiErrorExtras): GatewayError {
  return Object.assign(err, extras)
}

export function invalidRequest (message: string, param: string | null = null, code?: string): GatewayError {
  return withExtras(new ERR_INVALID_REQUEST(message), { param, ...(code !== undefined ? { openaiCode: code } : {}) })
}

export function notFound (message: string, code = 'not_found'): GatewayError {
  return withExtras(new ERR_NOT_FOUND(message), { openaiCode: code })
}

/** Server-side configuration is missing: retrying will not help, so tell the SDK not to. */
export function misconfigured (message: string): GatewayError {
  return withExtras(new ERR_UNAVAILABLE(message), { openaiCode: 'not_configured', headers: { 'x-should-retry': 'false' } })
}

export interface AgentErrorContext {
  /** The `x-openclaw-model` value, when the caller sent one. */
  modelOverride?: string | undefined
  agentId?: string | undefined
}

/** Engine and provider failures as HTTP errors (see docs/openai-compat.md, "Errors"). */
export function fromAgentError (err: AgentError, ctx: AgentErrorContext = {}): GatewayError {
  switch (err.code) {
    case 'AGENT_UNKNOWN':
      return invalidRequest(`Unknown agent '${ctx.agentId ?? ''}'.`, null, 'unknown_agent')
    case 'MODEL_UNKNOWN':
      // With an override the unknown model is the caller's; without one it is the operator's config.
      if (ctx.modelOverride !== undefined) {
        return invalidRequest(`Model '${ctx.modelOverride}' is not allowed for agent '${ctx.agentId ?? ''}': ${err.message}.`, null, 'model_not_allowed')
      }
      return misconfigured(err.message)
    case 'MODEL_NOT_CONFIGURED':
      return misconfigured(err.message)
    case 'MESSAGE_EMPTY':
      return invalidRequest('The request has no message to answer (the last user turn is empty).', 'messages', 'message_empty')
    case 'ATTACHMENT_TOO_LARGE':
      return invalidRequest(err.message, null, 'attachment_too_large')
    case 'RUN_TIMEOUT':
      return withExtras(new ERR_TIMEOUT(err.message), { openaiCode: 'timeout', headers: { 'x-should-retry': 'false' } })
    case 'RUN_ABORTED':
      return withExtras(new ERR_UNAVAILABLE(err.message), { openaiCode: 'aborted' })
    case 'PROVIDER_FAILED':
      return fromProviderFailure(err)
    default:
      return withExtras(new ERR_INTERNAL(err.message), { openaiCode: err.code.toLowerCase() })
  }
}

function fromProviderFailure (err: AgentError): GatewayError {
  const kind = err.details?.providerErrorType
  if (kind === 'rate_limit') {
    const seconds = err.retryAfterMs !== undefined ? Math.max(1, Math.ceil(err.retryAfterMs / 1000)) : 1
    return withExtras(new ERR_UPSTREAM_RATE_LIMITED(err.message), { openaiCode: 'rate_limit_exceeded', headers: { 'retry-after': String(seconds) } })
  }
  if (kind === 'context_length') return withExtras(new ERR_CONTEXT_LENGTH(err.message), { openaiCode: 'context_length_exceeded', param: 'messages' })
  // The engine has already retried and failed over; a client retry would multiply the load.
  const headers = { 'x-should-retry': 'false' }
  if (kind === 'timeout' || err.errorKind === 'timeout') return withExtras(new ERR_TIMEOUT(err.message), { openaiCode: 'upstream_timeout', headers })
  return withExtras(new ERR_UPSTREAM(err.message), { openaiCode: 'upstream_error', headers })
}

/** The error a finished-but-failed run stands for. */
export function fromRunResult (result: RunResult): GatewayError {
  if (result.status === 'timeout') return fromAgentError(result.error ?? new AgentError('RUN_TIMEOUT', 'run timed out'))
  if (result.status === 'aborted') return fromAgentError(new AgentError('RUN_ABORTED', 'The run was aborted before it finished.'))
  return fromAgentError(result.error ?? new AgentError('PROVIDER_FAILED', 'run failed'))
}

export interface OpenAiFailure {
  status: number
  body: OpenAiErrorBody
  headers: Record<string, string>
}

const FASTIFY_STATUS_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Payload too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type: send the body as application/json.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON object.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length.'
}

/** Any error as the OpenAI envelope; `internal` errors are logged by the caller and never echoed. */
export function toOpenAiFailure (raw: unknown): OpenAiFailure & { internal: boolean } {
  let err = raw as GatewayError
  if (isAgentError(raw)) err = fromAgentError(raw)
  else if (isProviderError(raw)) err = fromAgentError(toAgentError(raw))
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500
  const known = typeof err.code === 'string' && (err.code.startsWith('GW_ERR_') || err.code in FASTIFY_STATUS_MESSAGES || err.validation !== undefined)
  const internal = !known && status >= 500
  const message = internal ? 'internal error' : (FASTIFY_STATUS_MESSAGES[err.code] ?? err.message)
  const code = err.openaiCode ?? (internal ? 'internal_error' : codeOf(err))
  return { status, body: openAiError(status, message, { param: err.param ?? null, code }), headers: err.headers ?? {}, internal }
}
