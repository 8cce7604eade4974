// The agent engine as a shared service: sessions store, tool registry,
// provider pool and run engine, decorated for every surface (ws-rpc methods,
// openai-compat, hooks) to run turns through the same engine.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { AgentEngine } from '../../src/agents/engine.js'
import { createFileSessionStore, type FileSessionStore } from '../../src/sessions/index.js'
import { createToolRegistry, registerBuiltinTools, type ToolRegistry } from '../../src/tools/index.js'
import { registerCatalogMethods } from '../ws-rpc/methods/catalog.js'
import { registerChatMethods } from '../ws-rpc/methods/chat.js'
import { registerChatStartupMethods } from '../ws-rpc/methods/chat-startup.js'
import { registerRunMethods } from '../ws-rpc/methods/run.js'
import { registerSessionMethods } from '../ws-rpc/methods/sessions.js'
import { healthPart, statusPart } from './health.js'
import { startMaintenance } from './maintenance.js'
import { SystemEvents } from './system-events.js'

declare module 'fastify' {
  interface FastifyInstance {
    agents: AgentEngine
    sessions: FileSessionStore
    tools: ToolRegistry
    systemEvents: SystemEvents
  }
}

export default fp(async function agentsPlugin (app: FastifyInstance) {
  const log = app.log.child({ subsystem: 'agents' })
  const { stateDir, home } = app.gateway.paths
  const sessions = createFileSessionStore({
    stateDir,
    clock: app.gateway.now,
    onWarning: (w) => { log.warn({ code: w.code, path: w.path, count: w.count }, w.message) }
  })
  const tools = createToolRegistry()
  registerBuiltinTools(tools)
  const engine = new AgentEngine({
    getConfig: () => app.configStore.config,
    dirs: { stateDir, home },
    sessions,
    tools,
    getApiKey: (id) => app.configStore.current.secrets.providerKeys.get(id),
    publish: (event, payload, opts) => { app.events.publish(event, payload, opts) },
    listening: () => app.events.listening(),
    logger: log,
    now: app.gateway.now
  })
  app.decorate('agents', engine)
  app.decorate('sessions', sessions)
  app.decorate('tools', tools)

  const systemEvents = new SystemEvents(engine, log)
  registerRunMethods(app, systemEvents)
  registerChatMethods(app, systemEvents)
  registerChatStartupMethods(app)
  registerSessionMethods(app)
  registerCatalogMethods(app)
  app.decorate('systemEvents', systemEvents)
  app.rpc.advertiseEvents('agent', 'chat', 'sessions.changed', 'session.message', 'chat.metadata.changed')
  app.rpc.provideSessionDefaults(() => {
    const defaultAgentId = engine.catalog().defaultId
    return { defaultAgentId, mainKey: 'main', mainSessionKey: `agent:${defaultAgentId}:main`, scope: 'per-sender' }
  })
  app.rpc.health.extend(healthPart(engine, sessions, stateDir, app.gateway.now))
  app.rpc.extendStatus(statusPart(engine, sessions))

  app.configStore.on('change', () => { engine.reconfigure() })
  // Torn tails are cut on first touch and a crash is caught up on load, so start-up reads no transcript;
  // retention runs in the background when `session.maintenance` asks for it.
  let stopMaintenance: (() => Promise<void>) | undefined
  let closing = false
  app.addHook('onReady', async () => {
    stopMaintenance = startMaintenance(app, log)
    // A large index loads after listening starts (100,000 sessions take most of a second): health leaves
    // out session counts until then, and requests for sessions wait for their agent's load.
    sessions.preload().then(
      async () => { if (!closing && !(await sessions.smallIndex())) await app.rpc.health.refresh() },
      (err: unknown) => { log.warn({ err }, 'session index preload failed; retried on first use') }
    ).catch(() => undefined)
  })
  app.addHook('preClose', async () => {
    closing = true
    await stopMaintenance?.()
    await engine.close()
  })
  app.addHook('onClose', async () => { await sessions.close() })
}, { name: 'agents', fastify: '5.x', dependencies: ['config', 'rpc'] })
