// buildGateway(opts): the whole gateway as one Fastify instance, wired in
// dependency order. No listen, no process.*: server.ts owns those.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import configPlugin from '../plugins/config.js'
import authPlugin from '../plugins/auth.js'
import httpCommon from '../plugins/http-common.js'
import probes from '../plugins/probes.js'
import docs from '../plugins/docs.js'
import agentsPlugin from '../plugins/agents/index.js'
import openaiCompat from '../plugins/openai-compat/index.js'
import toolsInvoke from '../plugins/tools-invoke.js'
import controlUi, { type ControlUiOptions } from '../plugins/control-ui.js'
import hooksPlugin, { type HooksPluginOptions } from '../plugins/hooks/index.js'
import heartbeatPlugin, { type HeartbeatPluginOptions } from '../plugins/heartbeat.js'
import pluginHost, { type BundledPlugin, type PluginHostOptions } from '../plugins/plugin-host.js'
import channelsPlugin, { type ChannelsPluginOptions } from '../plugins/channels.js'
import rpcPlugin, { type RpcPluginOptions } from '../plugins/rpc.js'
import wsRpc, { type WsRpcOptions } from '../plugins/ws-rpc/index.js'
import reloadPlugin, { type ConfigSource } from '../plugins/reload.js'
import type { ConfigRpcOptions } from '../plugins/ws-rpc/methods/config.js'
import type { ConfigStore } from './config/store.js'
import { lazyCompilers } from './http/lazy-compilers.js'
import { codeOf, openAiError } from './http/openai-error.js'
import type { GatewayPaths, Env } from './config/paths.js'
import type { ListenSettings } from './config/settings.js'
import type { Logger } from './logging/logger.js'
import { lazyChildLogger } from './logging/request-logger.js'
import { canonicalUrl } from './http/url-aliases.js'
import { clientErrorHandler } from './http/client-errors.js'
import { closeWhenIdle } from './http/close-when-idle.js'

export interface GatewayOptions {
  store: ConfigStore
  paths: GatewayPaths
  listen: ListenSettings
  logger: Logger
  version: string
  /** Environment used to re-resolve secrets on reload; never mutated. */
  env: Env
  /** Re-reads the config for hot reload; without it the gateway keeps its start-up config. */
  configSource?: ConfigSource
  /** config.* write tuning (tests narrow the write budget). */
  configRpc?: ConfigRpcOptions
  /** Current log file path, for logs.tail. */
  logFile?: () => string | undefined
  now?: () => number
  /** RPC service tuning (health refresh, presence coalescing). */
  rpc?: RpcPluginOptions
  /** WebSocket control-plane tuning (tick, timeouts, local-client policy for tests). */
  wsRpc?: WsRpcOptions
  /** Control UI serving (tests point `root` at a fixture build). */
  controlUi?: ControlUiOptions
  /** Agent heartbeat timers (tests inject their own). */
  heartbeat?: HeartbeatPluginOptions
  /** The hooks loop guard and transform bounds (tests shrink them). */
  hooks?: HooksPluginOptions
  /** Plugin host tuning (load and route timeouts; tests shorten them). */
  plugins?: PluginHostOptions
  /** Channel accounts (tests inject the backoff sleep). */
  channels?: ChannelsPluginOptions
  /** HTTP server timing (tests shorten it). */
  http?: {
    /** A client has this long to deliver a whole request (default 30 s); then 408. */
    requestTimeoutMs?: number
    /** How often Node checks for requests past their timeout (default 30 s, so a 408 may come that much later). */
    timeoutCheckIntervalMs?: number
    /** How long a stop or restart waits for open HTTP connections before it cuts them (default 5 s). */
    closeDeadlineMs?: number
  }
}

export type GatewayPhase = 'starting' | 'ready' | 'closing'

export interface GatewayContext {
  readonly version: string
  readonly bootId: string
  readonly paths: GatewayPaths
  readonly listen: ListenSettings
  readonly env: Env
  readonly startedAt: number
  readonly phase: GatewayPhase
  now: () => number
  uptimeMs: () => number
  logFile: () => string | undefined
  /** Process-level requests the surfaces act on (SIGHUP → reload). */
  /** Why the gateway is closing, for the `shutdown` event. */
  closing: { reason: string, restartExpectedMs?: number }
  readonly events: EventEmitter<{ 'reload-request': [], 'restart-request': [{ reason: string, paths: string[] }] }>
}

declare module 'fastify' {
  interface FastifyInstance { gateway: GatewayContext }
}

export async function buildGateway (opts: GatewayOptions) {
  const now = opts.now ?? Date.now
  const trusted = opts.store.config.gateway?.trustedProxies ?? []
  const compilers = lazyCompilers()
  const requestTimeout = opts.http?.requestTimeoutMs ?? 30_000
  const app = Fastify({
    loggerInstance: opts.logger.child({ subsystem: 'http' }),
    // Per-request log lines cost more than the requests themselves on the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    trustProxy: trusted.length > 0 ? trusted : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    bodyLimit: 1024 * 1024,
    // A client has 30 s to deliver a whole request (slow-body clients get a 408 and lose the socket).
    requestTimeout,
    ...(opts.http?.timeoutCheckIntervalMs !== undefined ? { http: { connectionsCheckingInterval: opts.http.timeoutCheckIntervalMs } } : {}),
    // Requests the HTTP parser rejects (that 408, oversized headers, garbage) get our envelope too.
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
    // `/models` for `/v1/models`, `/v1/v1/…`, `//`: what clients send by mistake reaches its route.
    rewriteUrl: (req) => canonicalUrl(req.url ?? '/'),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true } },
    // Each route's validators and serializers compile on its first request, not at ready().
    schemaController: { compilersFactory: compilers },
    // Errors the router raises before any route runs (a malformed %-escape) still get our envelope.
    frameworkErrors: (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.status(400).send(openAiError(400, err.code === 'FST_ERR_BAD_URL' ? 'Invalid request path encoding.' : err.message, { code: codeOf(err) }))
    }
  }).withTypeProvider<TypeBoxTypeProvider>()
  // Node enforces requestTimeout only while headersTimeout is no longer than it
  // (Fastify sets the former after creating the server, leaving the latter at 60 s).
  app.server.headersTimeout = Math.min(app.server.headersTimeout, requestTimeout)

  let phase: GatewayPhase = 'starting'
  const startedAt = now()
  const context: GatewayContext = {
    version: opts.version,
    bootId: randomUUID(),
    paths: opts.paths,
    listen: opts.listen,
    env: opts.env,
    startedAt,
    get phase () { return phase },
    now,
    uptimeMs: () => now() - startedAt,
    logFile: opts.logFile ?? (() => undefined),
    closing: { reason: 'gateway stopping' },
    events: new EventEmitter()
  }
  app.decorate('gateway', context)
  app.addHook('onReady', async () => { phase = 'ready' })
  app.addHook('preClose', async () => {
    phase = 'closing'
    closeWhenIdle(app.server, { deadlineMs: opts.http?.closeDeadlineMs })
  })
  // Response serializers compile right after the port opens, in slices; validators on their
  // route's first request (warming them all cost ~10 MB of idle RSS).
  app.addHook('onListen', async () => { setImmediate(() => { void compilers.warm(['serializer']) }) })

  // Shared services first, then one encapsulated plugin per surface.
  await app.register(configPlugin, { store: opts.store })
  await app.register(authPlugin)
  await app.register(httpCommon)
  await app.register(rpcPlugin, opts.rpc ?? {})
  await app.register(wsRpc, opts.wsRpc ?? {})
  await app.register(probes)
  // The OpenAPI document collects routes as they are added: before the surfaces it documents.
  await app.register(docs)
  await app.register(agentsPlugin)
  await app.register(heartbeatPlugin, opts.heartbeat ?? {})
  await app.register(openaiCompat, { prefix: '/v1' })
  await app.register(toolsInvoke)
  await app.register(controlUi, opts.controlUi ?? {})
  await app.register(hooksPlugin, opts.hooks ?? {})
  // Third-party plugins last: they may read every core service; their routes live under /plugins/<id>.
  await app.register(pluginHost, { routeTimeoutMs: requestTimeout, bundled: BUNDLED_PLUGINS, ...opts.plugins })
  await app.register(channelsPlugin, opts.channels ?? {})
  if (opts.configSource !== undefined) {
    // With the config.* and secrets.reload methods: they exist only where the config has a file behind it.
    await app.register(reloadPlugin, { source: opts.configSource, configRpc: opts.configRpc ?? {} })
  }

  return app
}

/** Plugins shipped with the gateway, imported only while their channel is configured. */
const BUNDLED_PLUGINS: readonly BundledPlugin[] = [
  { id: 'telegram', load: async () => (await import('./channels/telegram/index.js')).default }
]

export type GatewayApp = Awaited<ReturnType<typeof buildGateway>>
