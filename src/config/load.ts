// Reads, parses, substitutes and validates the config file. Nothing here
// writes to the user's file; every failure is a ConfigError naming the path.
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import net from 'node:net'
import JSON5 from 'json5'
import { Errors, ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { GatewayConfig } from '../../schemas/config.js'
import { ConfigError, type ConfigIssue } from '../errors/index.js'
import type { Env } from './paths.js'
import { unsupportedWarnings } from './unsupported.js'

/** An immutable, validated view of the config file. */
export interface ConfigSnapshot {
  readonly path: string
  readonly exists: boolean
  /** The file text as authored (may contain secrets: never log or return it unredacted). */
  readonly raw: string | null
  readonly config: Readonly<GatewayConfig>
  /** sha256 of the raw text; the `baseHash` clients send back. */
  readonly hash: string
  readonly warnings: readonly string[]
}

export interface LoadOptions {
  /**
   * `error` (the gateway): a `${VAR}` naming an unset variable fails validation. `warn` (the CLI,
   * whose shell often lacks the service's variables): the text stays literal, with a warning.
   */
  unsetEnv?: 'error' | 'warn'
}

export async function loadConfigFile (file: string, env: Env, opts: LoadOptions = {}): Promise<ConfigSnapshot> {
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT') return emptySnapshot(file)
    throw new ConfigError(file, [{ path: '', message: `cannot read file (${e.code ?? e.message})` }])
  }
  return parseConfigText(file, raw, env, opts)
}

export function parseConfigText (file: string, raw: string, env: Env, opts: LoadOptions = {}): ConfigSnapshot {
  const parsed = parseJson5(file, raw)
  const unset: ConfigIssue[] = []
  const config = substituteEnv(parsed, env, '', unset)
  const issues = validateConfig(config)
  if (opts.unsetEnv !== 'warn' && unset.length > 0) {
    // A path with an unset variable is reported once, for the variable, not again for the literal text.
    throw new ConfigError(file, [...unset, ...issues.filter((i) => !unset.some((u) => u.path === i.path))])
  }
  if (issues.length > 0) throw new ConfigError(file, issues)
  const warnings = [...unset.map((u) => `${u.path}: ${u.message}`), ...unsupportedWarnings(config)]
  return Object.freeze({ path: file, exists: true, raw, config: deepFreeze(config as GatewayConfig), hash: hashText(raw), warnings })
}

/** The file as authored: JSON5 parsed, `${VAR}` not substituted, not validated. */
export function parseJson5 (file: string, raw: string): unknown {
  try {
    return raw.trim() === '' ? {} : JSON5.parse(raw)
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `malformed JSON5: ${(err as Error).message.replace(/^JSON5: /, '')}` }])
  }
}

export function emptySnapshot (file: string): ConfigSnapshot {
  return Object.freeze({ path: file, exists: false, raw: null, config: Object.freeze({}), hash: hashText(''), warnings: [] })
}

export function validateConfig (value: unknown): ConfigIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: '', message: 'the top level must be an object' }]
  }
  const issues: ConfigIssue[] = []
  const seen = new Set<string>()
  // The error iterator alone: validation runs once per load, so compiling a checker would cost more than it saves.
  for (const error of Errors(GatewayConfig, value)) {
    const p = pointerToPath(error.path)
    // Unions report one error per branch; the first is the most useful.
    if (seen.has(p)) continue
    seen.add(p)
    issues.push({ path: p, message: describe(error) })
    if (issues.length >= 20) break
  }
  return issues.length > 0 ? issues : semanticIssues(value as GatewayConfig)
}

/** Rules the schema cannot express; they name the path like schema errors do. */
function semanticIssues (config: GatewayConfig): ConfigIssue[] {
  const host = config.gateway?.customBindHost
  if (host !== undefined && net.isIP(host) === 0) return [{ path: 'gateway.customBindHost', message: `"${host}" is not an IP address` }]
  return []
}

export function hashText (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * `${VAR}` is replaced from the environment; `$${VAR}` escapes. An unset variable stays literal and
 * is reported in `unset`: kept as text, `token: "${OPENCLAW_GATEWAY_TOKEN}"` would be a guessable token.
 * A variable set to "" is set: the value is "" (an empty token or password counts as not configured).
 */
function substituteEnv (value: unknown, env: Env, at: string, unset: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Z_][A-Z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1)
      const v = env[name]
      if (v === undefined) {
        unset.push({ path: at, message: `environment variable ${name} is not set` })
        return match
      }
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${at}[${i}]`, unset))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, at === '' ? k : `${at}.${k}`, unset)
    return out
  }
  return value
}

/** TypeBox's messages, made specific where its wording is vague. */
function describe (error: ValueError): string {
  const schema = error.schema as { anyOf?: Array<{ const?: unknown }> }
  const literals = schema.anyOf?.map((s) => s.const)
  if (literals !== undefined && literals.length > 0 && literals.every((l) => typeof l === 'string')) {
    return `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}`
  }
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return 'unknown key'
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'required key is missing'
  return error.message.charAt(0).toLowerCase() + error.message.slice(1)
}

function pointerToPath (pointer: string): string {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => /^\d+$/.test(s) ? `[${s}]` : (i === 0 ? s : `.${s}`)).join('').replace(/^\./, '')
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
