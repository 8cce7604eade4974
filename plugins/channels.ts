// The channels feature (docs/channels.md): runs the accounts of the channels
// plugins register (app.pluginHost.channels()), restarts an account when its
// settings change, fills health.channels and registers the channels.* methods.
import fp from 'fastify-plugin'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { ChannelsManager } from '../src/channels/manager.js'
import { channelsHealth } from '../src/channels/status.js'
import { registerChannelMethods } from './ws-rpc/methods/channels.js'

export interface ChannelsPluginOptions {
  /** Backoff and retry waits (tests inject one that records and returns at once). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** How long stopping an account waits for replies in flight (default 5 s). */
  drainMs?: number
}

declare module 'fastify' {
  interface FastifyInstance { channels: ChannelsManager }
}

const abortableSleep = async (ms: number, signal: AbortSignal): Promise<void> => {
  await delay(ms, undefined, { signal }).catch(() => {})
}

export default fp(async function channels (app: FastifyInstance, opts: ChannelsPluginOptions) {
  let refreshQueued = false
  const manager = new ChannelsManager({
    registry: () => app.pluginHost.channels(),
    config: () => app.configStore.config,
    env: app.gateway.env,
    engine: app.agents,
    log: app.log.child({ subsystem: 'channels' }),
    now: app.gateway.now,
    sleep: opts.sleep ?? abortableSleep,
    stateDir: app.gateway.paths.stateDir,
    drainMs: opts.drainMs,
    // Many changes in one tick make one health refresh.
    changed: () => {
      if (refreshQueued) return
      refreshQueued = true
      setImmediate(() => {
        refreshQueued = false
        app.rpc.health.refresh().catch(() => {})
      })
    }
  })
  app.decorate('channels', manager)
  app.rpc.health.extend(() => channelsHealth(manager))
  registerChannelMethods(app)

  const reconcile = () => { manager.reconcile().catch(() => {}) }
  const offPlugins = app.pluginHost.onChange(reconcile)
  // Settings and secrets are compared per account: an unchanged account keeps running.
  app.configStore.on('change', reconcile)
  app.addHook('onClose', async () => {
    offPlugins()
    app.configStore.off('change', reconcile)
    await manager.close()
  })
}, { name: 'channels', fastify: '5.x', dependencies: ['config', 'rpc', 'agents', 'plugin-host'] })
