// Resolves SecretRefs (env / file / exec) into an in-memory snapshot. The
// snapshot is swapped whole on reload; a failed reload keeps the last good one.
import { execFile } from 'node:child_process'
import { readFile, lstat } from 'node:fs/promises'
import type { GatewayConfig, SecretInput } from '../../schemas/config.js'
import type { Env } from './paths.js'

export class SecretError extends Error {
  readonly code = 'SECRET_UNRESOLVED'
  readonly at: string
  constructor (at: string, message: string) {
    super(`${at}: ${message}`)
    this.name = 'SecretError'
    this.at = at
  }
}

export interface SecretsSnapshot {
  readonly gatewayToken: string | undefined
  readonly gatewayPassword: string | undefined
  /** Resolved `models.providers.<id>.apiKey` values. */
  readonly providerKeys: ReadonlyMap<string, string>
  /** Every resolved secret value, so log output can be scrubbed of them. */
  readonly values: readonly string[]
}

type Providers = NonNullable<NonNullable<GatewayConfig['secrets']>['providers']>

export async function resolveSecrets (config: GatewayConfig, env: Env): Promise<SecretsSnapshot> {
  const providers = config.secrets?.providers ?? {}
  const auth = config.gateway?.auth
  const gatewayToken = await resolveSecretInput(auth?.token, 'gateway.auth.token', providers, env)
  const gatewayPassword = await resolveSecretInput(auth?.password, 'gateway.auth.password', providers, env)
  const providerKeys = new Map<string, string>()
  for (const [id, p] of Object.entries(config.models?.providers ?? {})) {
    const key = await resolveSecretInput(p.apiKey, `models.providers.${id}.apiKey`, providers, env)
    if (key !== undefined) providerKeys.set(id, key)
  }
  const values = [gatewayToken, gatewayPassword, ...providerKeys.values(), config.hooks?.token]
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
  return { gatewayToken, gatewayPassword, providerKeys, values }
}

export async function resolveSecretInput (input: SecretInput | undefined, at: string, providers: Providers, env: Env): Promise<string | undefined> {
  if (input === undefined) return undefined
  if (typeof input === 'string') return input === '' ? undefined : input
  const provider = providers[input.provider] ?? (input.provider === 'default' && input.source === 'env' ? { source: 'env' as const } : undefined)
  if (provider === undefined) throw new SecretError(at, `secret provider "${input.provider}" is not configured (secrets.providers.${input.provider})`)
  if (provider.source !== input.source) throw new SecretError(at, `secret provider "${input.provider}" is a ${provider.source} provider, not ${input.source}`)
  switch (provider.source) {
    case 'env': {
      if (provider.allowlist !== undefined && !provider.allowlist.includes(input.id)) throw new SecretError(at, `${input.id} is not in the provider's allowlist`)
      const v = env[input.id]
      if (v === undefined || v === '') throw new SecretError(at, `environment variable ${input.id} is not set`)
      return v
    }
    case 'file': return await readFileSecret(at, provider, input.id)
    case 'exec': return await execSecret(at, provider, input.provider, input.id)
  }
}

async function readFileSecret (at: string, provider: { path: string, mode?: 'json' | 'singleValue', maxBytes?: number }, id: string): Promise<string> {
  const st = await lstat(provider.path).catch(() => undefined)
  if (st === undefined || !st.isFile()) throw new SecretError(at, `secret file ${provider.path} is not a regular file`)
  if (st.size > (provider.maxBytes ?? 1024 * 1024)) throw new SecretError(at, `secret file ${provider.path} is too large`)
  const text = await readFile(provider.path, 'utf8')
  if (provider.mode === 'singleValue') return text.trim()
  let doc: unknown
  try { doc = JSON.parse(text) } catch { throw new SecretError(at, `secret file ${provider.path} is not valid JSON`) }
  const v = jsonPointer(doc, id)
  if (typeof v !== 'string') throw new SecretError(at, `no string at ${id} in ${provider.path}`)
  return v
}

function execSecret (at: string, provider: { command: string, args?: string[], timeoutMs?: number, jsonOnly?: boolean }, alias: string, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(provider.command, provider.args ?? [], { timeout: provider.timeoutMs ?? 5000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err !== null) { reject(new SecretError(at, `secret command failed (${err.code ?? err.message})`)); return }
      const out = stdout.trim()
      try {
        const parsed = JSON.parse(out) as { values?: Record<string, unknown> }
        const v = parsed.values?.[id]
        if (typeof v === 'string') { resolve(v); return }
      } catch {
        if (provider.jsonOnly !== true && out !== '') { resolve(out); return }
      }
      reject(new SecretError(at, `secret command returned no value for ${id}`))
    })
    child.stdin?.end(JSON.stringify({ protocolVersion: 1, provider: alias, ids: [id] }))
  })
}

function jsonPointer (doc: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return doc
  let cur = doc
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}
