// A minimal Telegram Bot API client over fetch: one POST per method, a
// deadline per call, and every failure typed (bad token, rate limit with
// retry_after, server error, non-JSON answer, timeout, network). Errors never
// carry the URL: it holds the bot token.
export type BotApiErrorKind = 'auth' | 'rate-limited' | 'server' | 'rejected' | 'invalid-response' | 'timeout' | 'network'

export class BotApiError extends Error {
  readonly kind: BotApiErrorKind
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  /** Retrying the same call cannot help (bad token, a request the API refuses). */
  readonly permanent: boolean
  constructor (kind: BotApiErrorKind, message: string, extra: { status?: number, retryAfterMs?: number } = {}) {
    super(message)
    this.name = 'BotApiError'
    this.kind = kind
    this.status = extra.status
    this.retryAfterMs = extra.retryAfterMs
    this.permanent = kind === 'auth' || kind === 'rejected'
  }
}

export interface BotApiTarget { apiRoot: string, token: string }

interface BotApiReply { ok?: unknown, result?: unknown, error_code?: unknown, description?: unknown, parameters?: { retry_after?: unknown } }

export async function callBotApi (target: BotApiTarget, method: string, body: Record<string, unknown>, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
  const url = `${target.apiRoot.replace(/\/+$/, '')}/bot${target.token}/${method}`
  const deadline = AbortSignal.timeout(timeoutMs)
  let res: Response
  let text: string
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, deadline])
    })
    text = await res.text()
  } catch (err) {
    if (deadline.aborted && !signal.aborted) throw new BotApiError('timeout', `${method}: no answer within ${timeoutMs} ms`)
    if (signal.aborted) throw err
    throw new BotApiError('network', `${method}: connection failed (${causeOf(err)})`)
  }
  let reply: BotApiReply
  try {
    reply = JSON.parse(text) as BotApiReply
  } catch {
    throw new BotApiError('invalid-response', `${method}: the Bot API answered ${res.status} with a body that is not JSON (${res.headers.get('content-type') ?? 'no content type'})`, { status: res.status })
  }
  if (typeof reply !== 'object' || reply === null) throw new BotApiError('invalid-response', `${method}: the Bot API answered ${res.status} with an unexpected body`, { status: res.status })
  if (reply.ok === true && res.ok) return reply.result
  const status = typeof reply.error_code === 'number' ? reply.error_code : res.status
  const description = typeof reply.description === 'string' ? reply.description.slice(0, 200) : `HTTP ${res.status}`
  if (status === 401 || status === 404) throw new BotApiError('auth', `${method}: the bot token was refused (${status} ${description})`, { status })
  if (status === 429) {
    const after = typeof reply.parameters?.retry_after === 'number' ? reply.parameters.retry_after : undefined
    throw new BotApiError('rate-limited', `${method}: rate limited (429 ${description})`, { status, ...(after !== undefined ? { retryAfterMs: Math.max(0, after) * 1000 } : {}) })
  }
  if (status >= 500 || status === 409) throw new BotApiError('server', `${method}: ${status} ${description}`, { status })
  throw new BotApiError('rejected', `${method}: ${status} ${description}`, { status })
}

function causeOf (err: unknown): string {
  const cause = (err as { cause?: { code?: unknown, message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return err instanceof Error ? err.message : String(err)
}
