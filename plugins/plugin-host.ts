// The plugin host (docs/plugins.md): loads the configured plugins when the
// gateway gets ready and again whenever the `plugins` config changes, routes
// `/plugins/<id>/…` into each plugin's own Fastify instance, and reports what
// loaded and what failed in health and `plugins.list`. A plugin that throws is
// reported, never fatal.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayConfig, HookMapping } from '../schemas/config.js'
import type { ConfigChange } from '../src/config/store.js'
import type { ChannelDefinition, PluginDefinition } from '../src/plugin-api.js'
import type { ActivateDeps, ActivePlugin } from '../src/plugins/activate.js'
import { registerPluginMethods } from './ws-rpc/methods/plugins.js'

export interface PluginRecord {
  id: string
  origin: string
  enabled: boolean
  activated: boolean
  error?: string
  methods: string[]
  tools: string[]
  routes: string[]
  channels: string[]
  hookMappings: number
}

export interface PluginHost {
  /** Every plugin found, activated or not, in load order. */
  list: () => readonly PluginRecord[]
  /** Hook mappings the active plugins added (the hooks feature reads them after `hooks.mappings`). */
  hookMappings: () => ReadonlyArray<{ pluginId: string, mapping: HookMapping }>
  /** Channels the active plugins added (the channels feature starts and reports them). */
  channels: () => ReadonlyArray<{ pluginId: string, channel: ChannelDefinition }>
  /** Called after every (re)load, once the new plugins are active. */
  onChange: (listener: () => void) => () => void
  /** Loads every plugin again now (after any reload already under way). */
  reload: () => Promise<readonly PluginRecord[]>
  /** Settles once no (re)load is under way: the old instances are closed, the new ones serving. */
  settled: () => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance { pluginHost: PluginHost }
}

export interface PluginHostOptions {
  /** A plugin route that has not started answering by then gets 504 (default 30 s). */
  routeTimeoutMs?: number
  /** How long a reload waits for the old instances' requests in flight before closing them (default 5 s). */
  drainMs?: number
  /** Bounds each plugin's import and each register() (default 10 s): a plugin that hangs is reported, not waited for. */
  loadTimeoutMs?: number
  /** Plugins shipped with the gateway: each loads while `channels.<id>` is configured (docs/channels.md). */
  bundled?: readonly BundledPlugin[]
}

export interface BundledPlugin { id: string, load: () => Promise<PluginDefinition> }

interface Generation { active: Map<string, ActivePlugin>, records: PluginRecord[] }
type Runtime = typeof import('../src/plugins/loader.js') & typeof import('../src/plugins/activate.js')

const HERE = path.dirname(fileURLToPath(import.meta.url))

export default fp(async function pluginHost (app: FastifyInstance, opts: PluginHostOptions) {
  const log = app.log.child({ subsystem: 'plugins' })
  const { paths, version } = app.gateway
  const trusted = app.configStore.config.gateway?.trustedProxies ?? []
  const deps: Omit<ActivateDeps, 'channelTaken'> = {
    rpc: app.rpc,
    tools: app.tools,
    log,
    gateway: Object.freeze({ version, stateDir: paths.stateDir, configPath: paths.configPath }),
    http: { auth: app.httpAuth, trustProxy: trusted.length > 0 ? trusted : false, timeoutMs: opts.routeTimeoutMs ?? 30_000, registerTimeoutMs: opts.loadTimeoutMs }
  }
  let current: Generation = { active: new Map(), records: [] }
  const listeners = new Set<() => void>()
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  // The loader and activation code load with the first configured plugin: start-up without plugins skips them.
  let runtime: Promise<Runtime> | undefined
  const loadRuntime = async (): Promise<Runtime> => await (runtime ??= Promise.all([
    import('../src/plugins/loader.js'), import('../src/plugins/activate.js')
  ]).then(([loader, activate]) => ({ ...loader, ...activate })))

  const wantedBundled = (): BundledPlugin[] => configuredBundled(opts.bundled, app.configStore.config)

  const build = async (): Promise<readonly PluginRecord[]> => {
    const config = app.configStore.config.plugins
    const bundled = wantedBundled()
    if (closed || (current.records.length === 0 && bundled.length === 0 && (config?.load?.paths ?? []).length === 0 && Object.keys(config?.entries ?? {}).length === 0)) return current.records
    const { loadPlugins, activatePlugin, deactivate, messageOf } = await loadRuntime()
    const loaded = await loadPlugins(app.configStore.config, {
      baseDir: path.dirname(paths.configPath), home: paths.home, stateDir: paths.stateDir, gatewayDir: HERE, timeoutMs: opts.loadTimeoutMs
    })
    // A configured plugin with the same id replaces the bundled one; `plugins.entries.<id>` is its entry, not an npm package.
    for (const b of bundled) {
      if (loaded.plugins.some((p) => p.id === b.id)) continue
      loaded.failures = loaded.failures.filter((f) => f.origin !== `npm:${b.id}`)
      const origin = `bundled:${b.id}`
      try {
        loaded.plugins.push({ id: b.id, origin, entryKey: b.id, def: await b.load(), enabled: true, config: Object.freeze({}) })
      } catch (err) {
        loaded.failures.push({ id: b.id, origin, enabled: true, error: `import failed: ${messageOf(err)}` })
      }
    }
    const old = current
    // A plugin whose module and settings did not change keeps its instance: nothing to rebuild or close.
    const kept = new Map<string, ActivePlugin>()
    for (const p of loaded.plugins) {
      const a = old.active.get(p.id)
      if (a !== undefined && p.enabled && unchanged(a.plugin, p)) kept.set(p.id, a)
    }
    // Names are freed first so the new instances can take them again.
    for (const a of old.active.values()) if (kept.get(a.plugin.id) !== a) deactivate(a, deps)
    const next: Generation = { active: new Map(), records: [] }
    const channelTaken = (id: string) => [...next.active.values(), ...kept.values()].some((a) => a.contributions.channels.some((c) => c.id === id))
    for (const f of loaded.failures) next.records.push(record(f.id, f.origin, f.enabled, undefined, f.error))
    for (const p of loaded.plugins) {
      const same = kept.get(p.id)
      if (!p.enabled || same !== undefined) {
        if (same !== undefined) next.active.set(p.id, same)
        next.records.push(record(p.id, p.origin, p.enabled, same))
        continue
      }
      try {
        const active = await activatePlugin(p, { ...deps, channelTaken })
        next.active.set(p.id, active)
        next.records.push(record(p.id, p.origin, true, active))
      } catch (err) {
        log.error({ err, plugin: p.id }, `plugin ${p.id} failed to register: ${messageOf(err)}`)
        next.records.push(record(p.id, p.origin, true, undefined, `register failed: ${messageOf(err)}`))
      }
    }
    for (const f of loaded.failures) log.error({ plugin: f.id, origin: f.origin }, `plugin ${f.id} failed to load: ${f.error}`)
    current = next
    for (const listener of listeners) {
      try { listener() } catch (err) { log.warn({ err }, 'plugin change listener failed') }
    }
    await Promise.all([...old.active.values()].filter((a) => kept.get(a.plugin.id) !== a).map(async (a) => {
      await a.server.close(opts.drainMs ?? 5000).catch((err: unknown) => { log.warn({ err, plugin: a.plugin.id }, 'closing a plugin failed') })
    }))
    log.info({ loaded: [...next.active.keys()], kept: [...kept.keys()], failed: next.records.filter((r) => r.error !== undefined).map((r) => r.id) }, 'plugins loaded')
    await app.rpc.health.refresh().catch(() => {})
    return next.records
  }

  const reload = (): Promise<readonly PluginRecord[]> => {
    const run = queue.then(build)
    queue = run.catch((err: unknown) => { log.error({ err }, 'plugin reload failed') })
    return run
  }

  app.decorate('pluginHost', {
    list: () => current.records,
    hookMappings: () => [...current.active.values()].flatMap((a) => a.contributions.hookMappings.map((mapping) => ({ pluginId: a.plugin.id, mapping }))),
    channels: () => [...current.active.values()].flatMap((a) => a.contributions.channels.map((channel) => ({ pluginId: a.plugin.id, channel }))),
    onChange: (listener) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    reload,
    settled: async () => { await queue }
  } satisfies PluginHost)

  app.rpc.health.extend(async () => {
    if (current.records.length === 0) return {}
    const { pluginHealth } = await loadRuntime()
    const status: Record<string, Record<string, unknown>> = {}
    for (const a of current.active.values()) {
      const part = await pluginHealth(a, 2000)
      if (part !== undefined) status[a.plugin.id] = part
    }
    return {
      plugins: {
        loaded: [...current.active.keys()],
        errors: current.records.filter((r) => r.error !== undefined).map((r) => ({ id: r.id, origin: r.origin, activated: false, error: r.error! })),
        ...(Object.keys(status).length > 0 ? { status } : {})
      }
    }
  })

  // One route for every plugin, registered once: Fastify cannot remove routes, plugins come and go.
  await app.register(async function pluginRoutes (scope) {
    // The body stays unread: the plugin's instance parses it with its own parsers and limits.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => { done(null, undefined) })
    scope.all('/plugins/*', { schema: { hide: true } }, (request, reply) => { dispatch(request, reply) })
  })

  const dispatch = (request: FastifyRequest, reply: FastifyReply): void => {
    const id = /^\/plugins\/([^/?#]+)/.exec(request.url)?.[1]
    const active = id === undefined ? undefined : current.active.get(id)
    if (active === undefined) {
      reply.callNotFound()
      return
    }
    // Headers the gateway's hooks set (security headers) go out with the plugin's reply.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value)
    reply.hijack()
    active.server.handle(request.raw, reply.raw)
  }

  app.configStore.on('change', onConfigChange)
  function onConfigChange ({ previous, next }: ConfigChange) {
    const bundledIds = (c: GatewayConfig) => configuredBundled(opts.bundled, c).map((b) => b.id)
    if (isDeepStrictEqual(previous.snapshot.config.plugins, next.snapshot.config.plugins) &&
      isDeepStrictEqual(bundledIds(previous.snapshot.config), bundledIds(next.snapshot.config))) return
    reload().catch(() => {})
  }

  registerPluginMethods(app)

  // Loaded before the port opens; a plugin that fails is reported, the gateway starts anyway.
  app.addHook('onReady', async () => { await reload().catch(() => {}) })
  app.addHook('onClose', async () => {
    closed = true
    app.configStore.off('change', onConfigChange)
    await queue
    if (current.active.size > 0) {
      const { deactivate } = await loadRuntime()
      for (const a of current.active.values()) deactivate(a, deps)
    }
    await Promise.all([...current.active.values()].map(async (a) => { await a.server.close(0).catch(() => {}) }))
    current = { active: new Map(), records: [] }
  })
}, { name: 'plugin-host', fastify: '5.x', dependencies: ['config', 'auth', 'rpc', 'agents'] })

/** Same module (an edited path plugin is a new module), same origin and entry, same settings. */
function unchanged (was: ActivePlugin['plugin'], now: ActivePlugin['plugin']): boolean {
  return was.def === now.def && was.origin === now.origin && was.entryKey === now.entryKey && isDeepStrictEqual(was.config, now.config)
}

/** The bundled plugins whose channel is configured (`channels.<id>` is an object) and not disabled (`plugins.entries.<id>.enabled`). */
function configuredBundled (bundled: readonly BundledPlugin[] | undefined, config: Readonly<GatewayConfig>): BundledPlugin[] {
  const channels = config.channels ?? {}
  return (bundled ?? []).filter((b) => typeof channels[b.id] === 'object' && channels[b.id] !== null &&
    config.plugins?.entries?.[b.id]?.enabled !== false)
}

function record (id: string, origin: string, enabled: boolean, active?: ActivePlugin, error?: string): PluginRecord {
  const c = active?.contributions
  return {
    id,
    origin,
    enabled,
    activated: active !== undefined,
    ...(error !== undefined ? { error } : {}),
    methods: [...(c?.methods ?? [])],
    tools: [...(c?.tools ?? [])],
    routes: [...(active?.server.routes ?? [])],
    channels: (c?.channels ?? []).map((ch) => ch.id),
    hookMappings: c?.hookMappings.length ?? 0
  }
}
