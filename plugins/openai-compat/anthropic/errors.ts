// Failures under /v1/messages in Anthropic's envelope `{type:"error",
// error:{type,message}}`. The status, message and headers are those the
// OpenAI surface decides (one mapping of engine and provider errors); only
// the shape and the error type names differ.
import type { FastifySchemaValidationError } from 'fastify'
import { invalidRequest, toOpenAiFailure } from '../errors.js'

export interface AnthropicErrorBody { type: 'error', error: { type: string, message: string } }

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType (status: number): string {
  switch (status) {
    case 401: return 'authentication_error'
    case 403: return 'permission_error'
    case 404: return 'not_found_error'
    case 413: return 'request_too_large'
    case 429: return 'rate_limit_error'
    case 503: return 'overloaded_error'
    case 504: return 'timeout_error'
    default: return status >= 500 ? 'api_error' : 'invalid_request_error'
  }
}

export function toAnthropicFailure (err: unknown): { status: number, body: AnthropicErrorBody, headers: Record<string, string>, internal: boolean } {
  const f = toOpenAiFailure(err)
  return { status: f.status, body: anthropicError(f.status, f.body.error.message), headers: f.headers, internal: f.internal }
}

export function anthropicError (status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message } }
}

const UNIONS: Array<[RegExp, string]> = [
  [/^messages\.\d+\.content$/, 'a string or a list of content blocks'],
  [/^system$/, 'a string or a list of text blocks']
]

/** Schema errors in Anthropic's wording: `messages.0.content: Field required`, dotted paths. */
export function anthropicSchemaErrors (errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0]
  if (first === undefined) return invalidRequest(`Invalid request ${dataVar}.`)
  const params = first.params as Record<string, unknown>
  const at = first.instancePath.split('/').slice(1).join('.')
  if (first.keyword === 'required' && typeof params.missingProperty === 'string') {
    return invalidRequest(`${at === '' ? '' : `${at}.`}${params.missingProperty}: Field required`)
  }
  // A union's raw errors name one failed branch ("must be string"); say what the field takes.
  const union = UNIONS.find(([pattern]) => pattern.test(at))
  if (union !== undefined) return invalidRequest(`${at}: Input should be ${union[1]}`)
  if (at === '') return invalidRequest(first.keyword === 'type' ? 'The request body must be a JSON object.' : `Invalid request ${dataVar}: ${first.message ?? 'is invalid'}.`)
  if (first.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return invalidRequest(`${at}: Input should be ${params.allowedValues.map((v) => JSON.stringify(v)).join(' or ')}`)
  }
  return invalidRequest(`${at}: ${first.message ?? 'is invalid'}`)
}
