// Shared RPC services: the method table (app.rpc), the event bus (app.events),
// presence (app.presence) and the health snapshot. Transport-free: ws-rpc
// carries them over WebSocket, other plugins register methods and publish.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import type { SessionDefaults } from '../schemas/frames.js'
import { createLocalEventBus } from '../src/rpc/event-bus.js'
import { configHealth } from '../src/config/health.js'
import { LocalHealthService } from '../src/rpc/health.js'
import { MemoryPresenceStore } from '../src/rpc/presence.js'
import { MethodRegistry } from '../src/rpc/registry.js'
import type { EventBus, MethodDefinition, PresenceStore, RpcService, StatusExtender } from '../src/rpc/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    rpc: RpcService
    events: EventBus
    presence: PresenceStore
  }
}

export interface RpcPluginOptions {
  /** Health refresh period (contract: 60 s). */
  healthRefreshMs?: number
  /** Presence changes within this window go out as one `presence` event. */
  presenceBroadcastDelayMs?: number
}

const DEFAULT_MAIN_KEY = 'main'

export default fp(async function rpcPlugin (app: FastifyInstance, opts: RpcPluginOptions) {
  const log = app.log.child({ subsystem: 'rpc' })
  const now = app.gateway.now
  const events = createLocalEventBus((err, event) => { log.error({ err, event }, 'event listener failed') })
  const registry = new MethodRegistry()

  const stateVersion = () => ({ presence: presence.version, health: health.version })

  let presenceTimer: NodeJS.Timeout | undefined
  const presenceDelay = opts.presenceBroadcastDelayMs ?? 100
  // A connection storm changes presence thousands of times; clients only need the latest list.
  const presence = new MemoryPresenceStore(() => {
    if (presenceTimer !== undefined) return
    presenceTimer = setTimeout(() => {
      presenceTimer = undefined
      events.publish('presence', { presence: presence.list() }, { dropIfSlow: true, stateVersion: stateVersion() })
    }, presenceDelay)
    presenceTimer.unref()
  })

  const health = new LocalHealthService({
    now,
    configHealth: () => configHealth(app.configStore),
    onChange: (snapshot) => { events.publish('health', snapshot, { stateVersion: stateVersion() }) },
    onExtenderError: (err) => { log.warn({ err }, 'health extender failed') }
  })

  // A failed (or recovered) config load shows in health, its event and the next hello at once.
  const onProblems = () => { health.refresh().catch((err: unknown) => { log.warn({ err }, 'health refresh failed') }) }
  app.configStore.on('problems', onProblems)

  const statusExtenders: StatusExtender[] = []
  let sessionDefaultsProvider: () => Partial<SessionDefaults> = () => ({})

  const rpc: RpcService = {
    register: (name, def) => { registry.register(name, def as unknown as MethodDefinition<TSchema, TSchema>) },
    unregister: (name) => registry.unregister(name),
    has: (name) => registry.has(name),
    lookup: (name) => registry.get(name),
    methods: () => registry.methods(),
    advertiseEvents: (...names) => { registry.advertiseEvents(names) },
    events: () => registry.events(),
    health,
    extendStatus: (fn) => { statusExtenders.push(fn) },
    statusExtenders: () => statusExtenders,
    provideSessionDefaults: (fn) => { sessionDefaultsProvider = fn },
    sessionDefaults: () => resolveSessionDefaults(sessionDefaultsProvider()),
    stateVersion
  }

  app.decorate('rpc', rpc)
  app.decorate('events', events)
  app.decorate('presence', presence)

  let healthTimer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    health.start()
    await health.refresh()
    healthTimer = setInterval(() => {
      health.refresh().catch((err: unknown) => { log.warn({ err }, 'health refresh failed') })
    }, opts.healthRefreshMs ?? 60_000)
    healthTimer.unref()
  })
  app.addHook('onClose', async () => {
    app.configStore.off('problems', onProblems)
    clearInterval(healthTimer)
    clearTimeout(presenceTimer)
    health.stop()
  })
}, { name: 'rpc', fastify: '5.x', dependencies: ['config', 'auth'] })

function resolveSessionDefaults (partial: Partial<SessionDefaults>): SessionDefaults {
  const defaultAgentId = nonEmpty(partial.defaultAgentId) ?? 'main'
  const mainKey = nonEmpty(partial.mainKey) ?? DEFAULT_MAIN_KEY
  const out: SessionDefaults = {
    defaultAgentId,
    mainKey,
    mainSessionKey: nonEmpty(partial.mainSessionKey) ?? `agent:${defaultAgentId}:${mainKey}`
  }
  if (nonEmpty(partial.scope) !== undefined) out.scope = partial.scope!
  return out
}

function nonEmpty (s: string | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s : undefined
}
