// health, status, system-presence, gateway.identity.get and system.info:
// registered through app.rpc like any other plugin's methods.
import os from 'node:os'
import type { FastifyInstance } from 'fastify'
import { HealthSnapshot, PROTOCOL_VERSION } from '../../../schemas/frames.js'
import { EmptyParams, GatewayIdentity, HealthParams, StatusResult, SystemInfo, SystemPresenceResult } from '../../../schemas/rpc/core.js'
import { SCOPE_READ } from '../../../src/rpc/scopes.js'

/** The port actually bound (listen settings may say 0). */
function boundPort (app: FastifyInstance): number | undefined {
  const address = app.server.address()
  return address !== null && typeof address === 'object' ? address.port : undefined
}

/** How long a cached snapshot answers `health` before it is rebuilt. */
const HEALTH_CACHE_MS = 1000

export function registerCoreMethods (app: FastifyInstance, hub: { readonly size: number }): void {
  const { rpc, gateway } = app

  rpc.register('health', {
    scope: 'none',
    role: 'any',
    readOnly: true,
    params: HealthParams,
    result: HealthSnapshot,
    snapshotResult: true,
    handler: async (params) => params.probe === true ? await rpc.health.refresh() : await rpc.health.get(HEALTH_CACHE_MS)
  })

  rpc.register('status', {
    scope: SCOPE_READ,
    params: EmptyParams,
    result: StatusResult,
    handler: async (_params, ctx) => {
      const status: Record<string, unknown> = {
        gateway: {
          version: gateway.version,
          bootId: gateway.bootId,
          uptimeMs: Math.max(0, Math.floor(gateway.uptimeMs())),
          bind: gateway.listen.bind,
          host: gateway.listen.host,
          port: boundPort(app) ?? gateway.listen.port,
          authMode: app.gatewayAuth.mode
        },
        connections: { count: hub.size },
        sessions: { count: 0, recent: [] }
      }
      for (const extend of rpc.statusExtenders()) {
        const extra = await extend(ctx)
        for (const [k, v] of Object.entries(extra)) if (k !== 'gateway' && k !== 'connections') status[k] = v
      }
      return status as typeof StatusResult.static
    }
  })

  rpc.register('system-presence', {
    scope: SCOPE_READ,
    params: EmptyParams,
    result: SystemPresenceResult,
    snapshotResult: true,
    handler: async () => app.presence.list()
  })

  rpc.register('gateway.identity.get', {
    scope: SCOPE_READ,
    params: EmptyParams,
    result: GatewayIdentity,
    handler: async () => ({
      bootId: gateway.bootId,
      version: gateway.version,
      host: os.hostname() || 'gateway',
      platform: process.platform,
      startedAt: gateway.startedAt,
      protocol: PROTOCOL_VERSION
    })
  })

  rpc.register('system.info', {
    scope: SCOPE_READ,
    params: EmptyParams,
    result: SystemInfo,
    handler: async () => {
      const mem = process.memoryUsage()
      return {
        os: { platform: process.platform, release: os.release(), arch: process.arch, hostname: os.hostname() },
        node: process.version,
        pid: process.pid,
        cpus: os.availableParallelism(),
        memory: { totalBytes: os.totalmem(), freeBytes: os.freemem(), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
        uptimeMs: Math.max(0, Math.floor(gateway.uptimeMs())),
        processUptimeMs: Math.floor(process.uptime() * 1000)
      }
    }
  })
}
