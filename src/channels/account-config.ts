// Turns `channels.<id>` into account settings: the channel-level keys are the
// defaults, `accounts.<accountId>` entries override them (no `accounts`: one
// account, `default`). Validation and SecretRef resolution happen here, so a
// channel plugin only ever sees complete, checked settings.
import { createHash } from 'node:crypto'
import { Value } from '@sinclair/typebox/value'
import type { GatewayConfig, SecretInput } from '../../schemas/config.js'
import type { Env } from '../config/paths.js'
import { resolveSecretInput } from '../config/secrets.js'
import type { ChannelAccounts } from './types.js'

export const DEFAULT_ACCOUNT = 'default'

export interface AccountSpec {
  accountId: string
  /** Where its settings live, for messages: `channels.telegram` or `channels.telegram.accounts.work`. */
  at: string
  enabled: boolean
  raw: Record<string, unknown>
}

export type ResolvedAccount =
  | { ok: true, config: Readonly<Record<string, unknown>>, configured: boolean, fingerprint: string, secretSources: Record<string, string> }
  | { ok: false, error: string, fingerprint: string }

export function accountSpecs (channelId: string, section: unknown): AccountSpec[] {
  if (!isObject(section)) return []
  const { accounts, ...base } = section
  if (!isObject(accounts) || Object.keys(accounts).length === 0) {
    return [{ accountId: DEFAULT_ACCOUNT, at: `channels.${channelId}`, enabled: base.enabled !== false, raw: base }]
  }
  return Object.entries(accounts).map(([accountId, own]) => {
    const raw = { ...base, ...(isObject(own) ? own : {}) }
    return { accountId, at: `channels.${channelId}.accounts.${accountId}`, enabled: raw.enabled !== false, raw }
  })
}

/** Validated settings with defaults and secrets resolved, or the first problems as one line. */
export async function resolveAccount (spec: AccountSpec, def: ChannelAccounts, config: Readonly<GatewayConfig>, env: Env): Promise<ResolvedAccount> {
  const fingerprintOf = (extra: unknown) => createHash('sha256').update(JSON.stringify([spec.raw, extra])).digest('hex')
  const withDefaults = Value.Default(def.configSchema, structuredClone(spec.raw)) as Record<string, unknown>
  if (!Value.Check(def.configSchema, withDefaults)) {
    const problems = [...Value.Errors(def.configSchema, withDefaults)].slice(0, 3)
      .map((e) => `${spec.at}${e.path.replace(/\//g, '.')}: ${e.message}`)
    return { ok: false, error: problems.join('; '), fingerprint: fingerprintOf(null) }
  }
  const secretSources: Record<string, string> = {}
  const resolved: Record<string, unknown> = { ...withDefaults }
  try {
    for (const key of def.secretKeys ?? []) {
      const input = withDefaults[key] as SecretInput | undefined
      const value = await resolveSecretInput(input, `${spec.at}.${key}`, config.secrets?.providers ?? {}, env)
      secretSources[key] = input === undefined || value === undefined ? 'none' : typeof input === 'string' ? 'config' : input.source
      resolved[key] = value
    }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), fingerprint: fingerprintOf(null) }
  }
  // Resolved secret values take part only as a hash: a rotated token restarts the account.
  return { ok: true, config: Object.freeze(resolved), configured: def.isConfigured(resolved), fingerprint: fingerprintOf(resolved), secretSources }
}

export function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
