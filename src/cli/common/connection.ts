// Where the CLI connects and with which credentials.
//   URL:   --url → OPENCLAW_GATEWAY_URL → ws://<local host>:<port>, port as the gateway resolves it
//          (--port → OPENCLAW_GATEWAY_PORT → --dev 19001 → gateway.port → 18789).
//   Token: --token → OPENCLAW_GATEWAY_TOKEN → gateway.auth.token (string, ${VAR} or SecretRef)
//          → <stateDir>/credentials/gateway-token. Password likewise, without a file.
// An explicit --url gets explicit credentials only (like OpenClaw's CLI): local secrets are
// never sent to a URL the operator typed. OPENCLAW_GATEWAY_URL may use the env credentials.
import type { Argv } from 'yargs'
import { GatewayClient } from '../../client/gateway-client.js'
import { deviceSigner } from '../../client/device-identity.js'
import { GatewayClientError } from '../../errors/client.js'
import type { ConnectAuth } from '../../client/frames.js'
import { resolveSecretInput } from '../../config/secrets.js'
import { resolveListen } from '../../config/settings.js'
import { readGeneratedToken, tokenFile } from '../../config/state.js'
import { loadContext, type CliContext, type GlobalArgs } from './context.js'
import { CliError, err } from './output.js'

export interface ConnectionArgs {
  url?: string | undefined
  port?: number | undefined
  token?: string | undefined
  password?: string | undefined
  timeout?: number | undefined
}

export interface GatewayTarget {
  url: string
  urlSource: '--url' | 'OPENCLAW_GATEWAY_URL' | 'local'
  /** The local port (undefined for an explicit URL). */
  port: number | undefined
  auth: ConnectAuth
  /** Human description of what credentials are sent, e.g. "token from OPENCLAW_GATEWAY_TOKEN". */
  authSource: string
  /** A configured credential could not be resolved (unset ${VAR}, failing SecretRef). */
  authWarning: string | undefined
}

export function connectionOptions<T> (y: Argv<T>, opts: { timeoutDefault?: number } = {}): Argv<T & ConnectionArgs> {
  return y
    .option('url', { type: 'string', description: 'Gateway WebSocket URL (default: the local gateway; env OPENCLAW_GATEWAY_URL)' })
    .option('port', { type: 'number', description: 'Local gateway port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' })
    .option('token', { type: 'string', description: 'Gateway token (default: OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, the generated token)' })
    .option('password', { type: 'string', description: 'Gateway password (default: OPENCLAW_GATEWAY_PASSWORD, gateway.auth.password)' })
    .option('timeout', { type: 'number', default: opts.timeoutDefault ?? 30_000, description: 'Timeout in ms' }) as Argv<T & ConnectionArgs>
}

export async function resolveTarget (ctx: CliContext, args: ConnectionArgs): Promise<GatewayTarget> {
  const envUrl = nonEmpty(ctx.env.OPENCLAW_GATEWAY_URL)
  if (args.url !== undefined) {
    const auth = explicitAuth(args)
    if (auth.token === undefined && auth.password === undefined) {
      throw new CliError('--url needs explicit credentials: pass --token or --password', {
        hint: 'config, environment and generated-token credentials are only sent to the local gateway'
      })
    }
    return { url: checkUrl(args.url, '--url'), urlSource: '--url', port: undefined, auth, authSource: describeAuth(auth, 'the command line'), authWarning: undefined }
  }
  if (envUrl !== undefined) {
    const auth: ConnectAuth = { ...envAuth(ctx), ...explicitAuth(args) }
    return { url: checkUrl(envUrl, 'OPENCLAW_GATEWAY_URL'), urlSource: 'OPENCLAW_GATEWAY_URL', port: undefined, auth, authSource: describeAuth(auth, 'flags/environment'), authWarning: undefined }
  }
  const { host, port } = localListen(ctx, args.port)
  const creds = await localCredentials(ctx, args)
  return { url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`, urlSource: 'local', port, ...creds }
}

/** Host and port of the local gateway as `openclaw gateway` would resolve them. */
export function localListen (ctx: CliContext, portFlag: number | undefined): { host: string, port: number, bind: string } {
  const cli = { port: portFlag }
  let listen
  try {
    listen = resolveListen(ctx.config, cli, ctx.env, ctx.dev)
  } catch (e) {
    // A bind mode we cannot resolve client-side still has a port; connect over loopback.
    try {
      listen = resolveListen({ ...ctx.config, gateway: { ...ctx.config.gateway, bind: 'loopback' } }, cli, ctx.env, ctx.dev)
    } catch {
      throw new CliError((e as Error).message)
    }
  }
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host
  return { host, port: listen.port, bind: listen.bind }
}

/** Where localListen's port came from; mirrors resolvePort's precedence (`--dev` 19001 counts as a default). */
export type LocalPortSource = 'cli' | 'env' | 'config' | 'default'

export function localPortSource (ctx: CliContext, portFlag: number | undefined): LocalPortSource {
  if (portFlag !== undefined) return 'cli'
  if (nonEmpty(ctx.env.OPENCLAW_GATEWAY_PORT) !== undefined) return 'env'
  if (ctx.dev) return 'default'
  return ctx.config.gateway?.port !== undefined ? 'config' : 'default'
}

export interface ConnectOptions {
  /** Offer protocol 3..4 (gateway status). */
  probe?: boolean
  timeoutMs?: number
}

/** Connects; failures stay GatewayClientErrors (with their code). */
export async function openClient (ctx: CliContext, target: GatewayTarget, opts: ConnectOptions = {}): Promise<GatewayClient> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  return await GatewayClient.connect({
    url: target.url,
    clientVersion: ctx.version,
    auth: target.auth,
    probe: opts.probe === true,
    device: deviceSigner(ctx.paths.stateDir),
    handshakeTimeoutMs: Math.min(timeoutMs, 15_000),
    requestTimeoutMs: timeoutMs
  })
}

/** Connects; failures become CliErrors with a hint. */
export async function connectGateway (ctx: CliContext, target: GatewayTarget, opts: ConnectOptions = {}): Promise<GatewayClient> {
  try {
    return await openClient(ctx, target, opts)
  } catch (e) {
    throw asCliError(e, ctx, target)
  }
}

/** RPC commands still run on defaults while the config is broken; they say so on stderr. */
export function warnIfConfigBroken (ctx: CliContext): void {
  if (ctx.configError === undefined) return
  for (const line of ctx.configError.message.split('\n')) err(`warning: ${line}`)
  err('warning: using defaults for port and credentials; run `openclaw doctor`')
}

/** What an RPC command works with; `connectStartedAt` lets it report how long the gateway took. */
export interface GatewaySession {
  ctx: CliContext
  client: GatewayClient
  target: GatewayTarget
  connectStartedAt: number
}

/** An RPC command's whole run: load the CLI context, connect, run `fn`, always close. */
export async function runOnGateway<T> (args: GlobalArgs & ConnectionArgs, fn: (session: GatewaySession) => Promise<T>): Promise<T> {
  const ctx = await loadContext(args)
  const connectStartedAt = Date.now()
  warnIfConfigBroken(ctx)
  const target = await resolveTarget(ctx, args)
  const client = await connectGateway(ctx, target, { timeoutMs: args.timeout })
  try {
    return await fn({ ctx, client, target, connectStartedAt })
  } catch (e) {
    throw asCliError(e, ctx, target)
  } finally {
    await client.close()
  }
}

/** A client failure as a message plus the hint an operator needs next. */
export function asCliError (e: unknown, ctx: CliContext, target: GatewayTarget): unknown {
  if (!(e instanceof GatewayClientError)) return e
  const hint = connectHint(e, ctx, target)
  return new CliError(e.message, hint === undefined ? {} : { hint })
}

export function connectHint (e: GatewayClientError, ctx: CliContext, target: GatewayTarget): string | undefined {
  switch (e.code) {
    case 'UNREACHABLE':
      return target.urlSource === 'local'
        ? `start it with \`${ctx.dev ? 'openclaw --dev gateway' : 'openclaw gateway'}\` (or \`openclaw gateway install\`), or point the CLI at it with --port / --url`
        : `check the URL (${target.urlSource}) and that the gateway is running`
    case 'UNAUTHORIZED': {
      const warn = target.authWarning === undefined ? '' : ` (${target.authWarning})`
      return `the CLI sent ${target.authSource}${warn}; pass --token/--password, set OPENCLAW_GATEWAY_TOKEN, or make gateway.auth.token in ${ctx.paths.configPath} match the gateway`
    }
    case 'NOT_PAIRED':
      return 'approve this device on the gateway host (device pairing), or connect with the gateway token'
    case 'HANDSHAKE_TIMEOUT':
      return 'the gateway may be busy or still starting; retry, or raise --timeout'
    case 'PROTOCOL':
      return 'the port answers, but not as an OpenClaw gateway; check --port / --url'
    default:
      return undefined
  }
}

async function localCredentials (ctx: CliContext, args: ConnectionArgs): Promise<Pick<GatewayTarget, 'auth' | 'authSource' | 'authWarning'>> {
  const warnings: string[] = []
  const providers = ctx.config.secrets?.providers ?? {}
  const configured = async (key: 'token' | 'password'): Promise<string | undefined> => {
    const input = ctx.config.gateway?.auth?.[key]
    try {
      const v = await resolveSecretInput(input, `gateway.auth.${key}`, providers, ctx.env)
      if (v !== undefined && /\$\{[A-Z_][A-Z0-9_]*\}/.test(v)) {
        warnings.push(`gateway.auth.${key} refers to an unset environment variable`)
        return undefined
      }
      return v
    } catch (e) {
      warnings.push((e as Error).message)
      return undefined
    }
  }
  const sources: string[] = []
  const pick = (label: string, ...candidates: Array<[string, string | undefined]>): string | undefined => {
    for (const [from, v] of candidates) if (v !== undefined && v !== '') { sources.push(`${label} from ${from}`); return v }
    return undefined
  }
  const token = pick('token',
    ['--token', args.token],
    ['OPENCLAW_GATEWAY_TOKEN', nonEmpty(ctx.env.OPENCLAW_GATEWAY_TOKEN)],
    ['gateway.auth.token', await configured('token')],
    [tokenFile(ctx.paths.stateDir), await readGeneratedToken(ctx.paths.stateDir)])
  const password = pick('password',
    ['--password', args.password],
    ['OPENCLAW_GATEWAY_PASSWORD', nonEmpty(ctx.env.OPENCLAW_GATEWAY_PASSWORD)],
    ['gateway.auth.password', await configured('password')])
  const auth: ConnectAuth = {}
  if (token !== undefined) auth.token = token
  if (password !== undefined) auth.password = password
  return {
    auth,
    authSource: sources.length === 0 ? 'no credentials' : sources.join(' and '),
    authWarning: warnings.length === 0 ? undefined : warnings.join('; ')
  }
}

function explicitAuth (args: ConnectionArgs): ConnectAuth {
  const auth: ConnectAuth = {}
  if (args.token !== undefined && args.token !== '') auth.token = args.token
  if (args.password !== undefined && args.password !== '') auth.password = args.password
  return auth
}

function envAuth (ctx: CliContext): ConnectAuth {
  const auth: ConnectAuth = {}
  const token = nonEmpty(ctx.env.OPENCLAW_GATEWAY_TOKEN)
  const password = nonEmpty(ctx.env.OPENCLAW_GATEWAY_PASSWORD)
  if (token !== undefined) auth.token = token
  if (password !== undefined) auth.password = password
  return auth
}

function describeAuth (auth: ConnectAuth, from: string): string {
  const kinds = [auth.token !== undefined ? 'token' : undefined, auth.password !== undefined ? 'password' : undefined].filter((k) => k !== undefined)
  return kinds.length === 0 ? 'no credentials' : `${kinds.join(' and ')} from ${from}`
}

function checkUrl (raw: string, source: string): string {
  let u: URL
  try { u = new URL(raw) } catch { throw new CliError(`${source}: not a URL: ${raw}`) }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new CliError(`${source}: expected a ws:// or wss:// URL, got ${raw}`)
  return raw
}

function nonEmpty (v: string | undefined): string | undefined { return v === undefined || v.trim() === '' ? undefined : v }
