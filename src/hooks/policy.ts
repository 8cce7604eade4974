// The hooks policy read from the running config on every request (hot reload):
// whether hooks are on, the base path, which agents and session keys a caller
// may target.
import { randomUUID } from 'node:crypto'
import type { GatewayConfig } from '../../schemas/config.js'
import { ERR_INVALID_REQUEST } from '../errors/index.js'

export type HooksConfig = NonNullable<GatewayConfig['hooks']>

export const DEFAULT_HOOKS_PATH = '/hooks'

/** Leading `/` added, trailing `/` stripped (contract 4); the schema refuses `/` itself. */
export function normalizeHooksPath (path: string | undefined): string {
  const trimmed = (path ?? DEFAULT_HOOKS_PATH).trim().replace(/\/+$/, '')
  if (trimmed === '') return DEFAULT_HOOKS_PATH
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** The hooks config when hooks are on: enabled and a non-empty token. */
export function activeHooks (config: Readonly<GatewayConfig>): HooksConfig & { token: string } | undefined {
  const hooks = config.hooks
  if (hooks?.enabled !== true || typeof hooks.token !== 'string' || hooks.token === '') return undefined
  return hooks as HooksConfig & { token: string }
}

/** Omitted or containing `*`: every agent; `[]`: none (contract 4). */
export function checkAgentAllowed (hooks: HooksConfig, agentId: string): void {
  const allowed = hooks.allowedAgentIds
  if (allowed === undefined || allowed.includes('*')) return
  if (!allowed.some((id) => id.toLowerCase() === agentId.toLowerCase())) {
    throw new ERR_INVALID_REQUEST(`agentId "${agentId}" is not allowed for hooks (hooks.allowedAgentIds)`)
  }
}

/**
 * The session key of a hook run: the caller's (only with
 * `allowRequestSessionKey`), else the mapping's, else `defaultSessionKey`,
 * else a fresh `hook:<uuid>`. With `allowedSessionKeyPrefixes` every key,
 * generated ones included, must start with one of them (case-insensitive).
 */
export function resolveHookSessionKey (hooks: HooksConfig, requested: string | undefined, fromMapping?: string): string {
  if (requested !== undefined && hooks.allowRequestSessionKey !== true) {
    throw new ERR_INVALID_REQUEST('sessionKey is not accepted from hook callers; set hooks.allowRequestSessionKey: true to allow it')
  }
  const key = requested ?? fromMapping ?? (nonEmpty(hooks.defaultSessionKey) ? hooks.defaultSessionKey : undefined) ?? `hook:${randomUUID()}`
  const prefixes = hooks.allowedSessionKeyPrefixes
  if (prefixes !== undefined) {
    const lower = key.toLowerCase()
    if (!prefixes.some((p) => lower.startsWith(p.toLowerCase()))) {
      throw new ERR_INVALID_REQUEST(`sessionKey must start with one of: ${prefixes.join(', ')} (hooks.allowedSessionKeyPrefixes)`)
    }
  }
  return key
}

function nonEmpty (s: string | undefined): s is string {
  return typeof s === 'string' && s.trim() !== ''
}
