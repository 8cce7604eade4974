// Agent heartbeats as a shared service (app.heartbeats): the runner behind
// `wake`/`/hooks/wake` "now", its timers rebuilt on every config swap and
// released on close, the `heartbeat` event, and its WS methods.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { HeartbeatRunner, type HeartbeatTimers } from '../src/agents/heartbeat-runner.js'
import { heartbeatSettings } from '../src/agents/heartbeat.js'
import { registerHeartbeatMethods } from './ws-rpc/methods/heartbeat.js'

declare module 'fastify' {
  interface FastifyInstance { heartbeats: HeartbeatRunner }
}

export interface HeartbeatPluginOptions {
  /** Tests drive the heartbeat timers by hand. */
  timers?: HeartbeatTimers
}

export default fp(async function heartbeatPlugin (app: FastifyInstance, opts: HeartbeatPluginOptions) {
  const log = app.log.child({ subsystem: 'heartbeat' })
  const runner = new HeartbeatRunner({
    engine: app.agents,
    events: app.systemEvents,
    getConfig: () => app.configStore.config,
    publish: (event) => { app.events.publish('heartbeat', event, { dropIfSlow: true }) },
    now: app.gateway.now,
    log,
    ...(opts.timers !== undefined ? { timers: opts.timers } : {})
  })
  app.decorate('heartbeats', runner)
  app.systemEvents.attachRunner(async (agentId, sessionKey) => await runner.beat(agentId, sessionKey, 'wake'))
  registerHeartbeatMethods(app, runner)
  app.rpc.advertiseEvents('heartbeat')
  app.rpc.health.extend(() => {
    const s = heartbeatSettings(app.configStore.config, app.agents.catalog().defaultId)
    return { heartbeatSeconds: s.enabled && runner.isEnabled ? Math.round(s.everyMs! / 1000) : 0 }
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
  })
}, { name: 'heartbeat', fastify: '5.x', dependencies: ['config', 'rpc', 'agents'] })
