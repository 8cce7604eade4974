// Turns whatever went wrong upstream (HTTP status + body, in-stream error events, socket failures)
// into a ProviderError. All adapters share this so the same failure means the same `kind` everywhere.

import { ProviderError, previewUpstreamText, type ProviderErrorKind } from '../errors/providers.js'
import { retryAfterMsFromHeaders, type HeaderBag } from './retry-after.js'

/** Who was being called; carried into every error and used to scrub secrets from upstream text. */
export interface ErrorContext {
  provider: string
  model?: string
  secrets: readonly string[]
}

const CONTEXT_LENGTH =
  /context_length_exceeded|maximum context length|context length|prompt is too long|context window|too many tokens/i

const KINDS_BY_TYPE: Record<string, ProviderErrorKind> = {
  authentication_error: 'auth',
  permission_error: 'auth',
  invalid_api_key: 'auth',
  rate_limit_error: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  insufficient_quota: 'rate_limit',
  overloaded_error: 'server',
  api_error: 'server',
  server_error: 'server',
  timeout_error: 'timeout',
  invalid_request_error: 'bad_request',
  not_found_error: 'bad_request',
  request_too_large: 'bad_request'
}

/** The fields we care about from OpenAI-, Anthropic- and Ollama-style error payloads. */
export interface ErrorPayload {
  message?: string
  type?: string
  code?: string
}

export function readErrorPayload (json: unknown): ErrorPayload | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const root = json as Record<string, unknown>
  const inner = root.error
  if (typeof inner === 'string') return { message: inner }
  const source = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : root
  const pick = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
  const payload: ErrorPayload = {}
  const message = pick(source.message)
  const type = pick(source.type)
  const code = pick(source.code)
  if (message !== undefined) payload.message = message
  if (type !== undefined && type !== 'error') payload.type = type
  if (code !== undefined) payload.code = code
  return Object.keys(payload).length > 0 ? payload : undefined
}

/** JSON.parse that answers undefined instead of throwing. */
export function tryParseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function kindForStatus (status: number, wording: string): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth'
  if (status === 408) return 'timeout'
  if (status === 429) return 'rate_limit'
  if (status >= 400 && status < 500) return CONTEXT_LENGTH.test(wording) ? 'context_length' : 'bad_request'
  if (status >= 500) return 'server'
  return 'invalid_response'
}

export interface HttpFailure {
  status: number
  headers: HeaderBag
  bodyText: string
}

export function errorFromHttpStatus (ctx: ErrorContext, failure: HttpFailure): ProviderError {
  const payload = readErrorPayload(tryParseJson(failure.bodyText))
  const wording = payload ? [payload.message, payload.type, payload.code].join(' ') : failure.bodyText
  const kind = kindForStatus(failure.status, wording)
  const preview = previewUpstreamText(payload?.message ?? failure.bodyText, ctx.secrets)
  const retryAfterMs = retryAfterMsFromHeaders(failure.headers)
  return new ProviderError({
    kind,
    provider: ctx.provider,
    model: ctx.model,
    status: failure.status,
    message: `provider "${ctx.provider}" responded ${failure.status} (${kind})${preview ? `: ${preview}` : ''}`,
    upstreamMessage: preview || undefined,
    retryAfterMs,
    retryable: payload?.code === 'insufficient_quota' ? false : undefined
  })
}

/** For error objects delivered inside a 200 stream, or as a 200 JSON body. */
export function errorFromPayload (ctx: ErrorContext, payload: ErrorPayload | undefined): ProviderError {
  const wording = [payload?.message, payload?.type, payload?.code].join(' ')
  const byType = KINDS_BY_TYPE[payload?.code ?? ''] ?? KINDS_BY_TYPE[payload?.type ?? '']
  const kind: ProviderErrorKind = CONTEXT_LENGTH.test(wording) ? 'context_length' : (byType ?? 'server')
  const preview = previewUpstreamText(payload?.message ?? payload?.type ?? 'unknown error', ctx.secrets)
  return new ProviderError({
    kind,
    provider: ctx.provider,
    model: ctx.model,
    message: `provider "${ctx.provider}" reported an error mid-stream (${kind}): ${preview}`,
    upstreamMessage: preview,
    retryable: payload?.code === 'insufficient_quota' ? false : undefined
  })
}

export function invalidResponse (ctx: ErrorContext, what: string, raw?: string): ProviderError {
  const preview = raw === undefined ? undefined : previewUpstreamText(raw, ctx.secrets)
  return new ProviderError({
    kind: 'invalid_response',
    provider: ctx.provider,
    model: ctx.model,
    message: `provider "${ctx.provider}" sent an invalid response: ${what}`,
    upstreamMessage: preview || undefined
  })
}

/** Parses one JSON payload from the stream; malformed JSON means the upstream is not what we think. */
export function parseStreamJson (ctx: ErrorContext, data: string): Record<string, unknown> {
  const value = tryParseJson(data)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidResponse(ctx, 'malformed JSON in event stream', data)
  }
  return value as Record<string, unknown>
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])

function errorCode (err: unknown): string | undefined {
  for (let cur = err, depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string') return code
    cur = (cur as { cause?: unknown }).cause
  }
  return undefined
}

/** Errors that escaped the HTTP client: sockets, DNS, parser failures, client-side timeouts. */
export function errorFromTransport (ctx: ErrorContext, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err
  const code = errorCode(err) ?? 'UNKNOWN'
  const kind: ProviderErrorKind = TIMEOUT_CODES.has(code)
    ? 'timeout'
    : code.startsWith('HPE_')
      ? 'invalid_response'
      : code === 'UND_ERR_INVALID_ARG' // e.g. a configured header value with a newline in it
        ? 'bad_request'
        : 'network'
  const detail = err instanceof Error ? previewUpstreamText(err.message, ctx.secrets) : ''
  return new ProviderError({
    kind,
    provider: ctx.provider,
    model: ctx.model,
    message: `provider "${ctx.provider}" ${kind === 'timeout' ? 'timed out' : 'connection failed'} (${code})${detail ? `: ${detail}` : ''}`,
    cause: err
  })
}

/** The caller's signal fired (a client went away, a run was aborted or timed out in the engine). */
export function abortedError (ctx: ErrorContext): ProviderError {
  return new ProviderError({
    kind: 'aborted',
    provider: ctx.provider,
    model: ctx.model,
    message: `request to provider "${ctx.provider}" was aborted`
  })
}
