// Agent heartbeats as a shared service (app.heartbeats): the runner behind
// `wake`/`/hooks/wake` "now", its timers rebuilt on every config swap and
// released on close, the `heartbeat` event, its WS methods, `health.agents`,
// and the last verdict saved in the state dir across restarts.
import path from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Nullable } from '../schemas/common.js'
import { HeartbeatEvent } from '../schemas/rpc/heartbeat.js'
import { HeartbeatRunner, type HeartbeatTimers } from '../src/agents/heartbeat-runner.js'
import { heartbeatSettings } from '../src/agents/heartbeat.js'
import { JsonStateFile } from '../src/json-state-file.js'
import { registerHeartbeatMethods } from './ws-rpc/methods/heartbeat.js'

declare module 'fastify' {
  interface FastifyInstance { heartbeats: HeartbeatRunner }
}

export interface HeartbeatPluginOptions {
  /** Tests drive the heartbeat timers by hand. */
  timers?: HeartbeatTimers
}

const SavedHeartbeat = Type.Object({ version: Type.Literal(1), last: Nullable(HeartbeatEvent) })

export default fp(async function heartbeatPlugin (app: FastifyInstance, opts: HeartbeatPluginOptions) {
  const log = app.log.child({ subsystem: 'heartbeat' })
  const saved: JsonStateFile<typeof SavedHeartbeat> = new JsonStateFile({
    file: path.join(app.gateway.paths.stateDir, 'heartbeat-state.json'),
    schema: SavedHeartbeat,
    snapshot: () => ({ version: 1 as const, last: runner.lastEvent() }),
    log
  })
  const runner = new HeartbeatRunner({
    engine: app.agents,
    events: app.systemEvents,
    getConfig: () => app.configStore.config,
    publish: (event) => {
      app.events.publish('heartbeat', event, { dropIfSlow: true })
      saved.markDirty()
    },
    now: app.gateway.now,
    log,
    ...(opts.timers !== undefined ? { timers: opts.timers } : {})
  })
  runner.restore((await saved.load())?.last ?? null)
  app.decorate('heartbeats', runner)
  app.systemEvents.attachRunner(async (agentId, sessionKey) => await runner.beat(agentId, sessionKey, 'wake'))
  registerHeartbeatMethods(app, runner)
  app.rpc.advertiseEvents('heartbeat')
  app.rpc.health.extend(async () => {
    const config = app.configStore.config
    const catalog = app.agents.catalog()
    const s = heartbeatSettings(config, catalog.defaultId)
    const heartbeatSeconds = s.enabled && runner.isEnabled ? Math.round(s.everyMs! / 1000) : 0
    // Each agent row carries its session counts: left out while a large index loads (the agents plugin refreshes health after).
    if (!app.sessions.loaded() && !(await app.sessions.smallIndex())) return { heartbeatSeconds }
    const agents = await Promise.all(catalog.agents.map(async (agent) => {
      const hb = heartbeatSettings(config, agent.id)
      const { sessions, total } = await app.sessions.list({ agentId: agent.id, limit: 5 })
      const t = app.gateway.now()
      return {
        agentId: agent.id,
        name: agent.name,
        isDefault: agent.id === catalog.defaultId,
        heartbeat: {
          enabled: hb.enabled && runner.isEnabled,
          every: hb.every,
          everyMs: hb.everyMs,
          prompt: hb.prompt,
          target: hb.target,
          ...(hb.model !== undefined ? { model: hb.model } : {}),
          ackMaxChars: hb.ackMaxChars
        },
        sessions: {
          path: path.join(app.gateway.paths.stateDir, 'agents', agent.id, 'sessions'),
          count: total,
          recent: sessions.map((e) => ({ key: e.key, updatedAt: e.updatedAt, age: Math.max(0, t - e.updatedAt) }))
        }
      }
    }))
    return { heartbeatSeconds, agents }
  })

  // `status`: whether timers run, which agents have one, and the latest verdict.
  app.rpc.extendStatus(() => ({
    heartbeat: {
      enabled: runner.isEnabled,
      agents: [...runner.scheduled()].map(([agentId, everyMs]) => ({ agentId, every: heartbeatSettings(app.configStore.config, agentId).every, everyMs })),
      last: runner.lastEvent()
    }
  }))

  const onChange = () => { runner.reconcile() }
  app.configStore.on('change', onChange)
  app.addHook('onReady', async () => { runner.reconcile() })
  app.addHook('onClose', async () => {
    app.configStore.off('change', onChange)
    runner.close()
    await saved.close()
  })
}, { name: 'heartbeat', fastify: '5.x', dependencies: ['config', 'rpc', 'agents'] })
