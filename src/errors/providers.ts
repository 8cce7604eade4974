// The single error type adapters throw. Callers branch on `kind`/`code` and `retryable`,
// never on message text, so the message is free to stay human-oriented.

export type ProviderErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'context_length'
  | 'timeout'
  | 'server'
  | 'network'
  | 'bad_request'
  | 'invalid_response'
  | 'aborted'

const CODES = {
  auth: 'PROVIDER_AUTH',
  rate_limit: 'PROVIDER_RATE_LIMIT',
  context_length: 'PROVIDER_CONTEXT_LENGTH',
  timeout: 'PROVIDER_TIMEOUT',
  server: 'PROVIDER_SERVER',
  network: 'PROVIDER_NETWORK',
  bad_request: 'PROVIDER_BAD_REQUEST',
  invalid_response: 'PROVIDER_INVALID_RESPONSE',
  aborted: 'PROVIDER_ABORTED'
} as const satisfies Record<ProviderErrorKind, string>

export type ProviderErrorCode = (typeof CODES)[ProviderErrorKind]

const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['rate_limit', 'server', 'network', 'timeout'])

export const UPSTREAM_MESSAGE_MAX = 300

export interface ProviderErrorOptions {
  kind: ProviderErrorKind
  provider: string
  message: string
  model?: string
  status?: number
  retryAfterMs?: number
  upstreamMessage?: string
  /** Overrides the kind's default, e.g. an exhausted quota is a 429 that will not heal by waiting. */
  retryable?: boolean
  cause?: unknown
}

export class ProviderError extends Error {
  readonly code: ProviderErrorCode
  readonly kind: ProviderErrorKind
  readonly provider: string
  readonly model?: string
  readonly status?: number
  readonly retryAfterMs?: number
  readonly retryable: boolean
  readonly upstreamMessage?: string

  constructor (opts: ProviderErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'ProviderError'
    this.kind = opts.kind
    this.code = CODES[opts.kind]
    this.provider = opts.provider
    this.retryable = opts.retryable ?? RETRYABLE_KINDS.has(opts.kind)
    if (opts.model !== undefined) this.model = opts.model
    if (opts.status !== undefined) this.status = opts.status
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs
    if (opts.upstreamMessage !== undefined) this.upstreamMessage = opts.upstreamMessage
  }
}

export function isProviderError (err: unknown): err is ProviderError {
  return err instanceof ProviderError
}

/** Thrown by createProvider for configuration that can never work; not a runtime upstream failure. */
export class ProviderConfigError extends Error {
  readonly code = 'PROVIDER_CONFIG_INVALID'
  constructor (message: string) {
    super(message)
    this.name = 'ProviderConfigError'
  }
}

// Key-shaped tokens are masked even when they are not *our* key: upstreams echo whatever they got.
const KEY_LIKE = /\b(sk-(?:ant-)?[A-Za-z0-9_-]{6})[A-Za-z0-9_-]{6,}/g

/** Collapses whitespace, removes secrets and caps the length of text that came from upstream. */
export function previewUpstreamText (text: string, secrets: readonly string[]): string {
  let out = text.replace(/\s+/g, ' ').trim()
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]')
  }
  out = out.replace(KEY_LIKE, '$1…[redacted]')
  return out.length > UPSTREAM_MESSAGE_MAX ? `${out.slice(0, UPSTREAM_MESSAGE_MAX - 1)}…` : out
}
