// What a config write would put on disk, decided before anything is written:
// base hash check, merge patch, sentinel restore, validation. Every refusal
// is an RpcError naming the path; the file and the running config stay.
import { isDeepStrictEqual } from 'node:util'
import type { GatewayConfig } from '../../schemas/config.js'
import { ConfigError, RpcError, type ConfigIssue } from '../errors/index.js'
import { diffPaths } from './diff.js'
import { parseConfigText, parseJson5 } from './load.js'
import { mergePatch } from './merge-patch.js'
import type { Env } from './paths.js'
import { REDACTED, SentinelError, redactConfig, restoreRedacted } from './redact.js'
import { isPlainObject } from './schema-walk.js'

/** `set` takes a whole config (config.set, config.apply); `patch` a JSON merge patch. */
export type WriteKind = 'set' | 'patch'

export interface WriteRequest { raw: string, baseHash?: string, replacePaths?: string[] }

export interface DiskFile { exists: boolean, raw: string | null, hash: string }

export interface WritePlan {
  /** The result equals the file: nothing to write. */
  noop: boolean
  text: string
  /** The new config as it will run (`${VAR}` substituted); redact before replying. */
  config: Readonly<GatewayConfig>
  changedPaths: string[]
}

export const BASE_HASH_REQUIRED = 'config base hash required; re-run config.get and retry'
export const BASE_HASH_MISMATCH = 'config changed since last load; re-run config.get and retry'

const CREDENTIALS = [['gateway', 'auth', 'token'], ['gateway', 'auth', 'password'], ['gateway', 'remote', 'token'], ['gateway', 'remote', 'password']]

export function prepareWrite (kind: WriteKind, req: WriteRequest, disk: DiskFile, ctx: { file: string, env: Env }): WritePlan {
  if (disk.exists) {
    if (req.baseHash === undefined || req.baseHash.trim() === '') throw new RpcError('INVALID_REQUEST', BASE_HASH_REQUIRED)
    if (req.baseHash !== disk.hash) throw new RpcError('INVALID_REQUEST', BASE_HASH_MISMATCH)
  }
  const current = disk.raw === null ? {} : authoredOrUndefined(ctx.file, disk.raw)
  const incoming = parse(ctx.file, req.raw)
  let next: unknown
  if (kind === 'patch') {
    if (!isPlainObject(incoming)) throw invalid([{ path: '', message: 'config.patch raw must be a JSON5 object (a merge patch)' }])
    if (current === undefined) throw invalid([{ path: '', message: 'the config file on disk is not valid JSON5; replace it with config.set' }])
    next = mergePatch(current, incoming, new Set(req.replacePaths ?? []))
  } else {
    next = incoming
  }
  try {
    next = restoreRedacted(next, current, redactConfig(current).value)
  } catch (err) {
    if (err instanceof SentinelError) throw invalid([{ path: err.path, message: err.message }])
    throw err
  }
  // A whole config without sentinels is written as sent, comments and all; anything else as JSON.
  const text = kind === 'set' && isDeepStrictEqual(next, incoming) ? req.raw : `${JSON.stringify(next, null, 2)}\n`
  let config: Readonly<GatewayConfig>
  try {
    config = parseConfigText(ctx.file, text, ctx.env).config
  } catch (err) {
    if (err instanceof ConfigError) throw invalid(err.issues)
    throw err
  }
  for (const at of CREDENTIALS) {
    if (valueAt(config, at) === REDACTED) {
      throw invalid([{ path: at.join('.'), message: 'gateway credential is a redaction sentinel (run openclaw doctor --fix or set the real secret)' }])
    }
  }
  const changedPaths = diffPaths(current ?? {}, next)
  const noop = disk.exists && (kind === 'patch' ? changedPaths.length === 0 : text === disk.raw)
  return { noop, text, config, changedPaths }
}

function parse (file: string, raw: string): unknown {
  try {
    return parseJson5(file, raw)
  } catch (err) {
    if (err instanceof ConfigError) throw invalid(err.issues)
    throw err
  }
}

function authoredOrUndefined (file: string, raw: string): unknown {
  try {
    return parseJson5(file, raw)
  } catch {
    return undefined
  }
}

/** `invalid config: <path>: <reason>` for the first issue; all of them in details. */
function invalid (issues: ConfigIssue[]): RpcError {
  const [first] = issues
  const where = first.path === '' ? '' : `${first.path}: `
  return new RpcError('INVALID_REQUEST', `invalid config: ${where}${first.message}`, { details: { issues } })
}

/** The value at a key path (`['gateway', 'auth', 'token']`), or undefined where an object is missing. */
export function valueAt (v: unknown, path: readonly string[]): unknown {
  let cur = v
  for (const k of path) cur = isPlainObject(cur) ? cur[k] : undefined
  return cur
}
