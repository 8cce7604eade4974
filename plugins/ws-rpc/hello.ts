// hello-ok (contract 10.6): a closed object, so only the keys clients know.
// configPath/stateDir are for operator.admin connections only.
import os from 'node:os'
import type { HelloOk, PresenceEntry, Snapshot } from '../../schemas/frames.js'
import type { GatewayContext } from '../../src/app.js'
import type { AuthMode } from '../../src/config/settings.js'
import { SCOPE_ADMIN } from '../../src/rpc/scopes.js'
import type { PresenceStore, RpcService } from '../../src/rpc/types.js'
import type { Connection } from './connection.js'
import type { HandshakeResult } from './handshake.js'
import { MAX_PAYLOAD_BYTES, type WsRpcSettings } from './settings.js'

export interface HelloDeps {
  rpc: RpcService
  presence: PresenceStore
  gateway: GatewayContext
  authMode: () => AuthMode
  appliedConfigHash: () => string
  settings: WsRpcSettings
}

export function buildHello (conn: Connection, r: HandshakeResult, deps: HelloDeps): HelloOk {
  const snapshot: Snapshot = {
    presence: deps.presence.list(),
    health: deps.rpc.health.current(),
    stateVersion: deps.rpc.stateVersion(),
    uptimeMs: Math.max(0, Math.floor(deps.gateway.uptimeMs()))
  }
  if (r.scopes.includes(SCOPE_ADMIN)) {
    snapshot.configPath = deps.gateway.paths.configPath
    snapshot.stateDir = deps.gateway.paths.stateDir
  }
  snapshot.sessionDefaults = deps.rpc.sessionDefaults()
  // Compared with config.get's configRevisionHash, it tells a client a saved config awaits a restart.
  snapshot.appliedConfigHash = deps.appliedConfigHash()
  snapshot.authMode = deps.authMode()
  return {
    type: 'hello-ok',
    protocol: r.protocol,
    server: { version: deps.gateway.version, connId: conn.connId },
    features: { methods: deps.rpc.methods() as string[], events: deps.rpc.events() as string[] },
    snapshot,
    auth: { method: r.authMethod, role: r.role, scopes: r.scopes },
    policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes: deps.settings.maxBufferedBytes, tickIntervalMs: deps.settings.tickIntervalMs }
  }
}

/** CLI connections are short-lived commands, not presences (as in OpenClaw). */
export function presenceFor (conn: Connection, r: HandshakeResult, now: number): { key: string, entry: PresenceEntry } | undefined {
  if (r.client.mode === 'cli') return undefined
  const c = r.client
  const entry: PresenceEntry = { host: c.displayName ?? c.id, ip: conn.ip, version: c.version, platform: c.platform, mode: c.mode, reason: 'connect', ts: now, roles: [r.role] }
  if (c.deviceFamily !== undefined) entry.deviceFamily = c.deviceFamily
  if (c.modelIdentifier !== undefined) entry.modelIdentifier = c.modelIdentifier
  if (r.deviceId !== undefined) entry.deviceId = r.deviceId
  if (c.instanceId !== undefined) entry.instanceId = c.instanceId
  if (r.scopes.length > 0) entry.scopes = r.scopes
  return { key: r.deviceId ?? c.instanceId ?? conn.connId, entry }
}

/** The gateway's own presence line. */
export function selfPresence (gateway: GatewayContext, now: number): PresenceEntry {
  return { host: os.hostname() || 'gateway', version: gateway.version, platform: process.platform, mode: 'gateway', reason: 'self', ts: now }
}
