// Errors of the agent engine, each with a stable code the surfaces map to
// their own envelopes (RPC error, chat error event, OpenAI error body).
export type AgentErrorCode =
  | 'AGENT_UNKNOWN'
  | 'MODEL_UNKNOWN'
  | 'MODEL_NOT_CONFIGURED'
  | 'MESSAGE_EMPTY'
  | 'ATTACHMENT_TOO_LARGE'
  | 'ATTACHMENT_INVALID'
  | 'RUN_TIMEOUT'
  | 'RUN_ABORTED'
  | 'RUN_MAX_STEPS'
  | 'PROVIDER_FAILED'

/** Maps to the chat event `errorKind`. */
export type ErrorKind = 'refusal' | 'timeout' | 'rate_limit' | 'context_length' | 'unknown'

export class AgentError extends Error {
  readonly code: AgentErrorCode
  readonly errorKind: ErrorKind
  readonly status?: number
  readonly retryAfterMs?: number
  readonly details?: Record<string, unknown>
  constructor (code: AgentErrorCode, message: string, extra: { errorKind?: ErrorKind, status?: number, retryAfterMs?: number, details?: Record<string, unknown>, cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'AgentError'
    this.code = code
    this.errorKind = extra.errorKind ?? (code === 'RUN_TIMEOUT' ? 'timeout' : 'unknown')
    if (extra.status !== undefined) this.status = extra.status
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs
    if (extra.details !== undefined) this.details = extra.details
  }
}

export function isAgentError (err: unknown): err is AgentError {
  return err instanceof AgentError
}
