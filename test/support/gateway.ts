// An in-process gateway on 127.0.0.1:<random port> for tests: a config
// object in, a temp state dir, a silent (or capturing) logger, and a close
// that removes everything. Built with the real buildGateway wiring.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { buildGateway, type GatewayApp, type GatewayOptions } from '../../src/app.js'
import { loadConfigFile, parseConfigText } from '../../src/config/load.js'
import type { GatewayPaths } from '../../src/config/paths.js'
import { resolveSecrets } from '../../src/config/secrets.js'
import { resolveAuth } from '../../src/config/settings.js'
import { ConfigStore, type RuntimeConfig } from '../../src/config/store.js'
import type { ConfigSource } from '../../plugins/reload.js'
import { createLogger, type Logger } from '../../src/logging/logger.js'
import { defer } from './defer.js'

export const TEST_TOKEN = 'test-token-0123456789abcdef'

export interface TestGatewayOptions {
  /** Merged over `{ gateway: { mode: 'local', auth: { token: TEST_TOKEN } } }`. */
  config?: Record<string, unknown>
  /** Shared token; null switches auth off (mode none). Ignored when config sets gateway.auth. */
  token?: string | null
  wsRpc?: GatewayOptions['wsRpc']
  rpc?: GatewayOptions['rpc']
  http?: GatewayOptions['http']
  heartbeat?: GatewayOptions['heartbeat']
  hooks?: GatewayOptions['hooks']
  plugins?: GatewayOptions['plugins']
  channels?: GatewayOptions['channels']
  /** An existing directory to run in (kept on close): a second gateway on the same state dir is a restart. */
  home?: string
  logFile?: () => string | undefined
  /** Keep log records in `logs` (level debug). */
  captureLogs?: boolean
  env?: Record<string, string>
  /**
   * Writes the config to <stateDir>/openclaw.json (mode 0600) and gives the gateway a config source
   * reading it, as the server does: file reload and the config.* methods are on.
   */
  configFile?: boolean
  configRpc?: GatewayOptions['configRpc']
  now?: GatewayOptions['now']
  /** Runs after buildGateway, before listen (extra routes, test-only RPC methods). */
  beforeListen?: (app: GatewayApp) => void | Promise<void>
}

export interface TestGateway {
  app: GatewayApp
  url: string
  port: number
  token: string | undefined
  stateDir: string
  configPath: string
  /** Captured log records (captureLogs only). */
  logs: Array<Record<string, unknown>>
  close: () => Promise<void>
}

/** A gateway that closes itself when the test ends (fastify/demo's `build(t)`). */
export async function build (t: TestContext, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const gw = await startTestGateway(opts)
  defer(t, () => gw.close())
  return gw
}

export async function startTestGateway (opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = opts.home ?? await mkdtemp(path.join(os.tmpdir(), 'ocgw-ws-'))
  // A caller-owned home is the caller's to remove.
  const removeDir = async () => { if (opts.home === undefined) await rm(dir, { recursive: true, force: true }) }
  const env = { HOME: dir, ...opts.env }
  const token = opts.token === undefined ? TEST_TOKEN : opts.token
  const userGateway = (opts.config?.gateway ?? {}) as Record<string, unknown>
  const auth = token === null ? { mode: 'none' } : { token }
  const config = { ...opts.config, gateway: { mode: 'local', auth, ...userGateway } }
  const paths: GatewayPaths = { home: dir, profile: undefined, stateDir: path.join(dir, 'state'), configPath: path.join(dir, 'state', 'openclaw.json'), logDir: path.join(dir, 'logs') }
  const text = JSON.stringify(config, null, 2)
  const snapshot = parseConfigText(paths.configPath, text, env)
  let configSource: ConfigSource | undefined
  if (opts.configFile === true) {
    await mkdir(paths.stateDir, { recursive: true })
    await writeFile(paths.configPath, text, { mode: 0o600 })
    const resolve = async (s: RuntimeConfig['snapshot']): Promise<RuntimeConfig> => {
      const secrets = await resolveSecrets(s.config, env)
      return { snapshot: s, secrets, auth: resolveAuth(s.config, secrets, {}, env) }
    }
    configSource = {
      path: paths.configPath,
      load: async () => await resolve(await loadConfigFile(paths.configPath, env)),
      reloadSecrets: async (current) => await resolve(current.snapshot)
    }
  }
  const secrets = await resolveSecrets(snapshot.config, env)
  const logs: Array<Record<string, unknown>> = []
  const logger: Logger = opts.captureLogs === true
    ? pino({ level: 'debug' }, new Writable({ write (chunk: Buffer, _enc, cb) { logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } }))
    : createLogger({ level: 'silent', file: undefined })
  const app = await buildGateway({
    store: new ConfigStore({ snapshot, secrets, auth: resolveAuth(snapshot.config, secrets, {}, env) }),
    configSource,
    configRpc: opts.configRpc,
    now: opts.now,
    paths,
    listen: { port: 0, bind: 'loopback', host: '127.0.0.1' },
    logger,
    version: '0.0.0-test',
    env,
    logFile: opts.logFile,
    wsRpc: opts.wsRpc,
    rpc: opts.rpc,
    http: opts.http,
    heartbeat: opts.heartbeat,
    hooks: opts.hooks,
    plugins: opts.plugins,
    channels: opts.channels
  })
  try {
    await opts.beforeListen?.(app)
    await app.listen({ port: 0, host: '127.0.0.1' })
  } catch (err) {
    await app.close()
    await removeDir()
    throw err
  }
  const port = (app.server.address() as { port: number }).port
  let closed = false
  return {
    app,
    url: `ws://127.0.0.1:${port}`,
    port,
    token: token ?? undefined,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    logs,
    close: async () => {
      if (closed) return
      closed = true
      await app.close()
      await removeDir()
    }
  }
}
