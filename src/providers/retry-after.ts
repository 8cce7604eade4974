// How long an upstream asked us to wait, in milliseconds, from whichever hint it gave.
// Precedence: explicit millisecond header, standard Retry-After, then vendor reset headers.

export type HeaderBag = Record<string, string | string[] | undefined>

function header (headers: HeaderBag, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter (value: string, now: number): number | undefined {
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** OpenAI's x-ratelimit-reset-* values look like "1s", "6m0s", "20ms", "1h2m3.5s". */
export function parseDuration (value: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g
  const factors: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  let total = 0
  let consumed = 0
  for (const match of value.trim().matchAll(re)) {
    total += Number(match[1]) * factors[match[2]]
    consumed += match[0].length
  }
  return consumed > 0 && consumed === value.trim().length ? Math.round(total) : undefined
}

const OPENAI_RESETS = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
const ANTHROPIC_RESETS = [
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-reset',
  'anthropic-ratelimit-input-tokens-reset',
  'anthropic-ratelimit-output-tokens-reset'
]

export function retryAfterMsFromHeaders (headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms))
  const retryAfter = header(headers, 'retry-after')
  if (retryAfter !== undefined) {
    const parsed = parseRetryAfter(retryAfter, now)
    if (parsed !== undefined) return parsed
  }
  // Without an explicit hint we do not know which limit was hit, so wait for the latest reset.
  const candidates: number[] = []
  for (const name of OPENAI_RESETS) {
    const value = header(headers, name)
    const parsed = value === undefined ? undefined : parseDuration(value)
    if (parsed !== undefined) candidates.push(parsed)
  }
  for (const name of ANTHROPIC_RESETS) {
    const value = header(headers, name)
    const at = value === undefined ? NaN : Date.parse(value)
    if (!Number.isNaN(at)) candidates.push(Math.max(0, at - now))
  }
  return candidates.length > 0 ? Math.max(...candidates) : undefined
}
