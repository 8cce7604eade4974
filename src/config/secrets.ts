// Resolves SecretRefs (env / file / exec) into an in-memory snapshot. The
// snapshot is swapped whole on reload; a failed reload keeps the last good one.
import { execFile, type ExecFileException } from 'node:child_process'
import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
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
    case 'file': return await readFileSecret(at, provider, input.provider, input.id)
    case 'exec': return await execSecret(at, provider, input.provider, input.id, env)
  }
}

type FileProvider = Extract<Providers[string], { source: 'file' }>
type ExecProvider = Extract<Providers[string], { source: 'exec' }>

/**
 * Reads a file provider like OpenSSH reads a private key: a regular file, not a symlink, not
 * hard-linked, no access for group or others (`allowInsecurePath` waives the last three).
 * Opened with O_NOFOLLOW and checked through the handle, so the file checked is the file read.
 */
async function readFileSecret (at: string, provider: FileProvider, alias: string, id: string): Promise<string> {
  const file = provider.path
  const insecureOk = provider.allowInsecurePath === true
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (insecureOk ? 0 : constants.O_NOFOLLOW)
  let fh: FileHandle
  try {
    fh = await open(file, flags)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP') throw new SecretError(at, `secret file ${file} is a symlink; point secrets.providers.${alias}.path at the file itself, or set secrets.providers.${alias}.allowInsecurePath: true`)
    throw new SecretError(at, `secret file ${file} cannot be read (${code ?? (err as Error).message})`)
  }
  let text: string
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new SecretError(at, `secret file ${file} is not a regular file`)
    const mode = st.mode & 0o777
    if (!insecureOk && (mode & 0o077) !== 0) {
      throw new SecretError(at, `secret file ${file} has mode ${mode.toString(8).padStart(4, '0')}; it must not be accessible by group or others (chmod 600 ${file}), or set secrets.providers.${alias}.allowInsecurePath: true`)
    }
    if (!insecureOk && st.nlink > 1) throw new SecretError(at, `secret file ${file} has ${st.nlink} hard links; keep one, or set secrets.providers.${alias}.allowInsecurePath: true`)
    const maxBytes = provider.maxBytes ?? 1024 * 1024
    if (st.size > maxBytes) throw new SecretError(at, `secret file ${file} is larger than ${maxBytes} bytes (secrets.providers.${alias}.maxBytes)`)
    text = await fh.readFile({ encoding: 'utf8', signal: AbortSignal.timeout(provider.timeoutMs ?? 5000) })
  } catch (err) {
    if (err instanceof SecretError) throw err
    const e = err as NodeJS.ErrnoException
    if (e.name === 'AbortError' || e.name === 'TimeoutError') throw new SecretError(at, `secret file ${file} was not read within ${provider.timeoutMs ?? 5000} ms`)
    throw new SecretError(at, `secret file ${file} cannot be read (${e.code ?? e.message})`)
  } finally {
    await fh.close()
  }
  if (provider.mode === 'singleValue') return text.trim()
  let doc: unknown
  try { doc = JSON.parse(text) } catch { throw new SecretError(at, `secret file ${file} is not valid JSON`) }
  const v = jsonPointer(doc, id)
  if (typeof v !== 'string') throw new SecretError(at, `no string at ${id} in ${file}`)
  return v
}

/**
 * Runs an exec provider (no shell) with the protocol of contract 6.4: the request as JSON on
 * stdin, `{"protocolVersion":1,"values":{...}}` on stdout. Its environment is PATH and HOME plus
 * `passEnv`, never the gateway's own. Error messages never quote the output: it may be a secret.
 */
function execSecret (at: string, provider: ExecProvider, alias: string, id: string, env: Env): Promise<string> {
  const childEnv: Record<string, string> = {}
  for (const name of ['PATH', 'HOME', ...(provider.passEnv ?? [])]) {
    const v = env[name]
    if (v !== undefined) childEnv[name] = v
  }
  const timeoutMs = provider.timeoutMs ?? 5000
  const what = `secret command ${provider.command} (secrets.providers.${alias})`
  return new Promise((resolve, reject) => {
    const child = execFile(provider.command, provider.args ?? [], { env: childEnv, timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout) => {
      if (err === null) {
        try { resolve(parseExecOutput(stdout, id, what, provider.jsonOnly === false)) } catch (e) { reject(new SecretError(at, (e as Error).message)) }
        return
      }
      const e = err as ExecFileException & { code?: number | string }
      if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') reject(new SecretError(at, `${what} printed more than 1 MiB`))
      else if (e.killed === true && e.signal === 'SIGTERM') reject(new SecretError(at, `${what} timed out after ${timeoutMs} ms`))
      else if (typeof e.code === 'number') reject(new SecretError(at, `${what} exited with status ${e.code}`))
      else if (e.signal !== undefined && e.signal !== null) reject(new SecretError(at, `${what} was killed by ${e.signal}`))
      else reject(new SecretError(at, `${what} failed (${e.code ?? e.message})`))
    })
    // A command that never reads stdin closes the pipe (EPIPE); its answer still counts.
    child.stdin?.on('error', () => {})
    child.stdin?.end(JSON.stringify({ protocolVersion: 1, provider: alias, ids: [id] }))
  })
}

/** The value for `id` from an exec provider's stdout, or an Error whose message never includes the output. */
function parseExecOutput (stdout: string, id: string, what: string, wantsRaw = false): string {
  let doc: unknown
  try { doc = JSON.parse(stdout) } catch { doc = undefined }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    // OpenClaw's `jsonOnly: false` takes raw stdout as the secret; we never do (garbage would become a credential).
    const raw = wantsRaw ? '; raw output (jsonOnly: false) is not supported, wrap the command to print that JSON' : ''
    throw new Error(`${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}})${raw}`)
  }
  const out = doc as { protocolVersion?: unknown, values?: unknown, errors?: unknown }
  if (out.protocolVersion !== 1) throw new Error(`${what} did not answer with protocolVersion 1`)
  const reported = (out.errors as Record<string, { message?: unknown }> | undefined)?.[id]?.message
  // Its text is not quoted: it is the command's output, which may hold the secret.
  if (typeof reported === 'string') throw new Error(`${what} reported an error for "${id}"`)
  const values = typeof out.values === 'object' && out.values !== null ? out.values as Record<string, unknown> : {}
  if (!Object.hasOwn(values, id)) throw new Error(`${what} returned no value for "${id}"`)
  const v = values[id]
  if (typeof v !== 'string') throw new Error(`${what} returned ${kindOf(v)} for "${id}", not a string`)
  if (v === '') throw new Error(`${what} returned an empty value for "${id}"`)
  return v
}

function kindOf (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
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
