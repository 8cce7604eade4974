// The WebSocket control plane (OpenClaw protocol v4) on GET /. Encapsulated:
// @fastify/websocket and the upgrade route live only in this context.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import websocket from '@fastify/websocket'
import type { WebSocket } from 'ws'
import { DevicePairing } from '../../src/devices/pairing.js'
import { DevicePairingStore } from '../../src/devices/store.js'
import { normalizeBasePath } from '../../src/http/control-ui.js'
import { addHeaderConstraint } from '../../src/http/header-constraint.js'
import { isLoopbackAddress } from '../../src/net.js'
import { Dispatcher } from '../../src/rpc/dispatch.js'
import { IdempotencyCache } from '../../src/rpc/idempotency.js'
import { SCOPE_PAIRING, scopesFromHeader } from '../../src/rpc/scopes.js'
import type { ConfigChange } from '../../src/config/store.js'
import { publicPending } from './methods/device-pair.js'
import type { PeerInfo } from './connection.js'
import { selfPresence } from './hello.js'
import { ConnectionHub } from './hub.js'
import { applyPolicyChange } from './policy-change.js'
import { registerCoreMethods } from './methods/core.js'
import { registerDevicePairMethods } from './methods/device-pair.js'
import { registerEmptyStateMethods } from './methods/empty-states.js'
import { registerLogsTail } from './methods/logs-tail.js'
import { MAX_PAYLOAD_BYTES, resolveSettings, type WsRpcOptions } from './settings.js'

export type { WsRpcOptions }

const UPGRADE_CONSTRAINT = 'wsUpgrade'
const SELF_PRESENCE_KEY = 'gateway:self'
const CORE_EVENTS = ['connect.challenge', 'tick', 'presence', 'health', 'shutdown', 'device.pair.requested', 'device.pair.resolved']

export default async function wsRpc (app: FastifyInstance, opts: WsRpcOptions) {
  const log = app.log.child({ subsystem: 'ws' })
  const settings = resolveSettings(opts, app.gateway.env)
  const now = app.gateway.now
  const dedupe = new IdempotencyCache({ now })
  const pairing = new DevicePairing(new DevicePairingStore({ stateDir: app.gateway.paths.stateDir, now }), {
    requested: (request) => { app.events.publish('device.pair.requested', publicPending(request), { scope: SCOPE_PAIRING }) },
    resolved: (ev) => { app.events.publish('device.pair.resolved', ev, { scope: SCOPE_PAIRING }) }
  }, now)

  // isClosing is only called once requests flow, after `connections` is initialised.
  const dispatcher = new Dispatcher({ lookup: app.rpc.lookup, dedupe, log, isClosing: () => connections.closing })
  const connections: ConnectionHub = new ConnectionHub({
    log,
    settings,
    dispatcher,
    presence: app.presence,
    now,
    handshake: { auth: app.gatewayAuth, pairing, config: () => app.configStore.config, now },
    hello: { rpc: app.rpc, presence: app.presence, gateway: app.gateway, authMode: () => app.gatewayAuth.mode, appliedConfigHash: () => app.configStore.current.snapshot.hash, settings }
  })

  await app.register(websocket, {
    options: { maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false },
    // Our shutdown replaces the default (close every client with no code): clients get `shutdown` and 1012.
    preClose: async () => { await connections.shutdown(app.gateway.closing ?? { reason: 'gateway stopping' }) },
    errorHandler: (error, socket) => {
      log.debug({ err: error.message }, 'websocket handler error')
      // ws protocol errors (bad UTF-8, oversized frames) already started a close with the right code.
      if ((error as { code?: string }).code?.startsWith('WS_ERR_') !== true) socket.terminate()
    }
  })

  // Only requests that ask for an upgrade match this route, so a plain GET / falls through to
  // whatever owns HTTP `/` (the Control UI) or the not-found handler. A route constraint keeps
  // both on the same path without this plugin knowing about the other.
  addHeaderConstraint(app, UPGRADE_CONSTRAINT, (h) => typeof h.upgrade === 'string' && h.upgrade.toLowerCase() === 'websocket' ? 'websocket' : undefined)

  const isLocal = opts.isLocalClient ?? defaultIsLocal
  // The Control UI connects to its own page's path: at `gateway.controlUi.basePath` too (restart).
  const uiBase = normalizeBasePath(app.configStore.config.gateway?.controlUi?.basePath)
  for (const url of uiBase === '' ? ['/'] : ['/', uiBase]) {
    app.route({
      method: 'GET',
      url,
      constraints: { [UPGRADE_CONSTRAINT]: 'websocket' },
      exposeHeadRoute: false,
      websocket: true,
      preHandler: releaseUpgradeResponse,
      handler: (socket: WebSocket, request: FastifyRequest) => {
        const peer = peerInfo(request, isLocal)
        // The hub installs its own error listener (see releaseUpgradeResponse).
        socket.removeAllListeners('error')
        // request.socket is the TCP socket ws took over; the hub corks it to batch writes.
        connections.accept(socket, peer, request.socket)
      }
    })
  }

  const onConfigChange = (change: ConfigChange) => { applyPolicyChange(connections, app.log, change) }
  app.configStore.on('change', onConfigChange)

  const unsubscribe = app.events.subscribe((e) => { connections.broadcast(e) }, { active: () => connections.size > 0 })
  app.rpc.advertiseEvents(...CORE_EVENTS)
  registerCoreMethods(app, connections)
  registerLogsTail(app)
  registerDevicePairMethods(app, pairing)
  registerEmptyStateMethods(app)

  const sweeper = setInterval(() => { dedupe.sweep() }, 60_000)
  sweeper.unref()
  app.addHook('onReady', async () => {
    app.presence.upsert(SELF_PRESENCE_KEY, selfPresence(app.gateway, now()))
    connections.start()
  })
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    app.configStore.off('change', onConfigChange)
    unsubscribe()
  })
}

function peerInfo (request: FastifyRequest, isLocal: (r: FastifyRequest) => boolean): PeerInfo {
  const h = request.headers
  return {
    ip: request.ip || request.socket.remoteAddress || 'unknown',
    isLocal: isLocal(request),
    origin: typeof h.origin === 'string' && h.origin !== '' ? h.origin : undefined,
    host: typeof h.host === 'string' ? h.host : undefined,
    scopesHeader: scopesFromHeader(h['x-openclaw-scopes'])
  }
}

/**
 * @fastify/websocket keeps the upgrade's request, reply and response alive for the socket's
 * whole life (its error listener closes over them; the response stays assigned to the TCP
 * socket). A control connection lives for hours and needs none of them: dropping them saves
 * ~2 KB per idle connection. Only a real upgrade (`request.ws`) lets go of its response: a
 * plain request that merely carries an Upgrade header is still answered through it.
 */
function releaseUpgradeResponse (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.ws) reply.raw.detachSocket(request.socket)
  done()
}

/** Loopback peer, a local Host header, and no proxy headers we cannot attribute (contract 8). */
export function defaultIsLocal (request: FastifyRequest): boolean {
  if (!isLoopbackAddress(request.socket.remoteAddress)) return false
  const h = request.headers
  if (h['x-forwarded-for'] !== undefined || h['x-real-ip'] !== undefined || h.forwarded !== undefined) return false
  const host = h.host
  if (host === undefined) return true
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!
  return name === 'localhost' || isLoopbackAddress(name)
}
