// Redaction of config values for config.* replies (contract 8): values at
// sensitive paths become the sentinel, and a sentinel sent back on a write is
// restored from the value it replaced. Pure functions over plain objects.
import { isDeepStrictEqual } from 'node:util'
import JSON5 from 'json5'
import type { TSchema } from '@sinclair/typebox'
import { GatewayConfig } from '../../schemas/config.js'
import { childSchema, isPlainObject } from './schema-walk.js'

export const REDACTED = '__OPENCLAW_REDACTED__'

const WHITELIST_SUFFIXES = ['maxtokens', 'maxoutputtokens', 'maxinputtokens', 'maxcompletiontokens', 'contexttokens',
  'totaltokens', 'tokencount', 'tokenlimit', 'tokenbudget', 'passwordfile']
const PATTERNS = [/token$/i, /password/i, /secret/i, /api.?key/i, /encrypt.?key/i, /private.?key/i, /serviceaccount(?:ref)?$/i]
// Header values that carry credentials whatever the provider calls its key.
const CREDENTIAL_HEADER = /(?:^|\.)headers\.(?:authorization|proxy-authorization|cookie)$/i

/** The contract's path rule: a name pattern, minus the token-count look-alikes. */
export function isSensitivePath (path: string): boolean {
  const lower = path.toLowerCase()
  if (lower.includes('localservice.env.')) return true
  if (WHITELIST_SUFFIXES.some((s) => lower.endsWith(s))) return false
  return PATTERNS.some((p) => p.test(path)) || CREDENTIAL_HEADER.test(path)
}

/** `${VAR}` placeholders and empty strings reveal nothing. */
function isConcrete (value: string): boolean {
  const t = value.trim()
  return t !== '' && !/^\$\{[^}]*\}$/.test(t)
}

function hasUrlCredentials (value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(value)) return false
  try {
    const u = new URL(value)
    return u.username !== '' || u.password !== ''
  } catch {
    return false
  }
}

export function isSecretRef (v: unknown): v is { source: string, provider: string, id: string } {
  return isPlainObject(v) && typeof v.source === 'string' && typeof v.provider === 'string' && typeof v.id === 'string'
}

/**
 * A SecretRef id is a name (env var, JSON pointer, exec key); one that looks
 * like key material (a known key prefix, or a long unbroken token) is hidden.
 */
export function idLooksLikeSecret (id: string): boolean {
  if (/^(?:sk|pk|rk)[-_]|^(?:ghp|gho|ghs|github_pat|xox[abpr]|glpat)[-_]|^AKIA[0-9A-Z]{12}|^AIza/.test(id)) return true
  return id.length >= 24 && !/[/.:#]/.test(id) && /[0-9]/.test(id) && /[a-z]/.test(id) && !/^[A-Z][A-Z0-9_]*$/.test(id)
}

export interface Redaction {
  readonly value: unknown
  /** The concrete values that were hidden (for redacting the raw text). */
  readonly hidden: string[]
}

/** A copy of `value` with every sensitive value replaced by the sentinel. */
export function redactConfig (value: unknown, schema: TSchema = GatewayConfig): Redaction {
  const hidden: string[] = []
  return { value: walk(value, schema, '', false, hidden), hidden }
}

function walk (value: unknown, schema: TSchema | undefined, path: string, quiet: boolean, hidden: string[]): unknown {
  // `sensitive: false` in the schema silences the name rule below it (`secrets.*` holds provider settings, not secrets).
  const declared = schema?.sensitive as boolean | undefined
  const heuristic = declared !== false && !quiet
  if (typeof value === 'string') {
    if ((declared === true || (heuristic && isSensitivePath(path))) && isConcrete(value)) return hide(value, hidden)
    return hasUrlCredentials(value) ? hide(value, hidden) : value
  }
  if (Array.isArray(value)) {
    const items = schema === undefined ? undefined : childSchema(schema, '[]')
    const sensitiveItems = declared === true || (heuristic && isSensitivePath(path))
    return value.map((v, i) => typeof v === 'string' && sensitiveItems && isConcrete(v)
      ? hide(v, hidden)
      : walk(v, items, `${path}[${i}]`, quiet || declared === false, hidden))
  }
  if (!isPlainObject(value)) return value
  if (isSecretRef(value)) {
    return idLooksLikeSecret(value.id) ? { ...value, id: hide(value.id, hidden) } : { ...value }
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const child = schema === undefined ? undefined : childSchema(schema, k)
    define(out, k, walk(v, child, path === '' ? k : `${path}.${k}`, quiet || declared === false, hidden))
  }
  return out
}

function hide (value: string, hidden: string[]): string {
  hidden.push(value)
  return REDACTED
}

/**
 * The raw file text with the hidden values replaced in place, or null when
 * that would not read back as exactly the redacted object (a value written
 * with escapes, or one that also occurs in non-secret text).
 */
export function redactRaw (raw: string, redacted: unknown, hidden: readonly string[]): string | null {
  let out = raw
  for (const v of [...new Set(hidden)].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED)
  try {
    return isDeepStrictEqual(JSON5.parse(out), redacted) ? out : null
  } catch {
    return null
  }
}

export class SentinelError extends Error {
  readonly path: string
  constructor (path: string, message: string) {
    super(message)
    this.name = 'SentinelError'
    this.path = path
  }
}

/**
 * Puts back the value each sentinel stands for: the current value at the same
 * path, where the current config's redacted view shows the sentinel. A
 * sentinel anywhere else has nothing to stand for and is refused.
 */
export function restoreRedacted (incoming: unknown, current: unknown, currentRedacted: unknown, path = ''): unknown {
  if (incoming === REDACTED) {
    if (currentRedacted === REDACTED && current !== undefined) return current
    throw new SentinelError(path, `redaction sentinel "${REDACTED}" has no stored value to restore`)
  }
  if (Array.isArray(incoming)) {
    const cur = Array.isArray(current) ? current : []
    const red = Array.isArray(currentRedacted) ? currentRedacted : []
    return incoming.map((v, i) => restoreRedacted(v, cur[i], red[i], `${path}[${i}]`))
  }
  if (!isPlainObject(incoming)) return incoming
  if (isSecretRef(incoming) && incoming.id === REDACTED && isSecretRef(current) &&
    (incoming.source !== current.source || incoming.provider !== current.provider)) {
    // The stored id belongs to the old backend; binding it to another one silently would be wrong.
    throw new SentinelError(`${path}.id`, 'the SecretRef changed source or provider while its id is redacted; send the id')
  }
  const cur = isPlainObject(current) ? current : {}
  const red = isPlainObject(currentRedacted) ? currentRedacted : {}
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(incoming)) {
    define(out, k, restoreRedacted(v, own(cur, k), own(red, k), path === '' ? k : `${path}.${k}`))
  }
  return out
}

function own (o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined
}

/** Assignment that treats `__proto__` as an ordinary key (JSON5 parses it as one). */
export function define (o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}
