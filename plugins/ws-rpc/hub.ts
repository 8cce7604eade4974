// Every WebSocket connection of this gateway process: admission after the
// handshake, event fan-out with per-connection seq, the tick and keepalive
// sweeps, presence bookkeeping and the shutdown sequence.
import type { RawData, WebSocket } from 'ws'
import type { RequestFrame } from '../../schemas/frames.js'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Dispatcher } from '../../src/rpc/dispatch.js'
import { seqEventFrame, type SeqFrame } from '../../src/rpc/frames.js'
import { scopeSatisfied } from '../../src/rpc/scopes.js'
import type { BusEvent, PresenceStore } from '../../src/rpc/types.js'
import { Connection, type ConnectionOwner, type Corkable, type PeerInfo, type ScopeView } from './connection.js'
import { runHandshake, type HandshakeDeps } from './handshake.js'
import { buildHello, presenceFor, type HelloDeps } from './hello.js'
import type { WsRpcSettings } from './settings.js'

/** Events a `session-scoped-events` client only receives for sessions it subscribed to (contract 1.5). */
const SESSION_SCOPED_EVENTS = new Set(['agent', 'chat', 'chat.side_result', 'session.observer', 'session.tool'])
/** Events only for connections that subscribed to the session's messages (sessions.messages.subscribe). */
const MESSAGE_EVENTS = new Set(['session.message'])

// Socket listeners are shared functions reading the connection off the socket: a closure
// per listener per socket would cost a few hundred bytes on every idle connection.
const CONNECTION = Symbol('ws-rpc.connection')
const HUB = Symbol('ws-rpc.hub')
type OwnedSocket = WebSocket & { [CONNECTION]: Connection, [HUB]: ConnectionHub }

function onSocketMessage (this: WebSocket, data: RawData, isBinary: boolean): void { (this as OwnedSocket)[CONNECTION].onMessage(data as Buffer, isBinary) }
function onSocketClose (this: WebSocket): void { (this as OwnedSocket)[HUB].removed((this as OwnedSocket)[CONNECTION]) }
function onSocketError (this: WebSocket, err: Error): void { (this as OwnedSocket)[CONNECTION].log.debug({ err: err.message }, 'websocket error') }
function onSocketPong (this: WebSocket): void { (this as OwnedSocket)[CONNECTION].pingSentAt = 0 }

const MAX_SHARED_SCOPE_VIEWS = 64

export interface HubDeps {
  log: Logger
  settings: WsRpcSettings
  dispatcher: Dispatcher
  presence: PresenceStore
  handshake: HandshakeDeps
  hello: HelloDeps
  now: () => number
}

export class ConnectionHub implements ConnectionOwner {
  readonly log: Logger
  readonly maxBufferedBytes: number
  readonly #deps: HubDeps
  /** Every socket, authenticated or not (shutdown closes them all). */
  readonly #all = new Set<Connection>()
  /** Sockets past hello-ok: the fan-out audience. */
  readonly #open = new Set<Connection>()
  readonly #presenceRefs = new Map<string, number>()
  readonly #scopeViews = new Map<string, ScopeView>()
  readonly #closedWaiters = new Map<Connection, () => void>()
  #closing = false
  #tickTimer: NodeJS.Timeout | undefined
  #pingTimer: NodeJS.Timeout | undefined

  constructor (deps: HubDeps) {
    this.#deps = deps
    this.log = deps.log
    this.maxBufferedBytes = deps.settings.maxBufferedBytes
  }

  get closing (): boolean { return this.#closing }
  get size (): number { return this.#open.size }

  start (): void {
    const s = this.#deps.settings
    this.#tickTimer = setInterval(() => { this.#tick() }, s.tickIntervalMs)
    this.#pingTimer = setInterval(() => { this.#pingSweep() }, s.pingIntervalMs)
    this.#tickTimer.unref()
    this.#pingTimer.unref()
  }

  /** Closes the open connections that no longer pass `keep` (hot reload changed the policy). */
  closeWhere (keep: (conn: Connection) => boolean, code: number, reason: string): number {
    let closed = 0
    for (const conn of this.#open) {
      if (keep(conn)) continue
      conn.close(code, reason)
      closed++
    }
    return closed
  }

  /** Takes a freshly upgraded socket; message listeners are attached before anything can arrive. */
  accept (socket: WebSocket, peer: PeerInfo, raw?: Corkable): void {
    const conn = new Connection(socket, peer, this, raw)
    const owned = socket as OwnedSocket
    owned[CONNECTION] = conn
    owned[HUB] = this
    socket.on('message', onSocketMessage)
    socket.on('close', onSocketClose)
    socket.on('error', onSocketError)
    if (this.#closing) {
      conn.close(1012, 'service restart')
      // Too late for shutdown's own sweep: cut it if the peer never finishes the close.
      setTimeout(() => { socket.terminate() }, this.#deps.settings.closeGraceMs).unref()
      return
    }
    this.#all.add(conn)
    conn.sendEvent('connect.challenge', { nonce: conn.nonce, ts: this.#deps.now() })
    conn.handshakeTimer = setTimeout(() => {
      conn.log.warn(`handshake timeout conn=${conn.connId} peer=${peer.ip} phase=${conn.phase}`)
      conn.close(1000)
    }, this.#deps.settings.handshakeTimeoutMs)
  }

  async handshake (conn: Connection, frame: RequestFrame): Promise<boolean> {
    const r = await runHandshake(conn, frame, this.#deps.handshake)
    if (r === undefined || conn.phase === 'closed') return false
    clearTimeout(conn.handshakeTimer)
    conn.handshakeTimer = undefined
    const presence = presenceFor(conn, r, this.#deps.now())
    if (presence !== undefined) {
      conn.presenceKey = presence.key
      this.#presenceRefs.set(presence.key, (this.#presenceRefs.get(presence.key) ?? 0) + 1)
      this.#deps.presence.upsert(presence.key, presence.entry)
    }
    conn.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: buildHello(conn, r, this.#deps.hello) }))
    conn.admit(r, this.#internScopes(r.scopes))
    this.#open.add(conn)
    conn.socket.on('pong', onSocketPong)
    return true
  }

  dispatch (conn: Connection, frame: RequestFrame): void {
    this.#deps.dispatcher.dispatch(conn, frame.id, frame.method, frame.params)
  }

  /** Event-bus listener: serialise once, then filter and number per connection. */
  broadcast (e: BusEvent): void {
    if (this.#open.size === 0) return
    let payload: string | undefined
    try {
      payload = e.payload === undefined ? undefined : JSON.stringify(e.payload)
    } catch (err) {
      this.log.error({ err, event: e.event }, 'event payload is not serialisable')
      return
    }
    this.#fanOut(seqEventFrame(e.event, payload, e.opts.stateVersion), e)
  }

  #fanOut (frame: SeqFrame, e: Pick<BusEvent, 'opts' | 'event'>): void {
    const { scope, requireCap } = e.opts
    const sessionKey = SESSION_SCOPED_EVENTS.has(e.event) ? e.opts.sessionKey : undefined
    const messagesOf = MESSAGE_EVENTS.has(e.event) ? (e.opts.sessionKey ?? '') : undefined
    const dropIfSlow = e.opts.dropIfSlow === true
    for (const conn of this.#open) {
      if (messagesOf !== undefined && !conn.watchesMessages(messagesOf)) continue
      if (scope !== undefined && (conn.role !== 'operator' || !scopeSatisfied(scope, conn.scopeSet))) continue
      if (requireCap !== undefined && !conn.caps.has(requireCap)) continue
      if (sessionKey !== undefined && conn.sessionScoped && !conn.sessions.has(sessionKey)) continue
      conn.deliver(frame, dropIfSlow)
    }
  }

  // Ticks are local to this process (not on the bus): every gateway ticks its own sockets.
  #tick (): void {
    if (this.#open.size === 0) return
    this.#fanOut(seqEventFrame('tick', `{"ts":${this.#deps.now()}}`), { event: 'tick', opts: { dropIfSlow: true } })
  }

  #pingSweep (): void {
    const t = this.#deps.now()
    const timeout = this.#deps.settings.pongTimeoutMs
    for (const conn of this.#open) {
      if (conn.pingSentAt !== 0) {
        if (t - conn.pingSentAt >= timeout) {
          conn.log.debug('keepalive pong timeout')
          conn.socket.terminate()
        }
        continue
      }
      conn.pingSentAt = t
      conn.socket.ping()
    }
  }

  // Most connections hold one of a handful of grants; sharing them keeps idle sockets small.
  #internScopes (scopes: readonly string[]): ScopeView {
    const key = scopes.join(',')
    const known = this.#scopeViews.get(key)
    if (known !== undefined) return known
    const view: ScopeView = { list: Object.freeze([...scopes]), set: new Set(scopes) }
    if (this.#scopeViews.size < MAX_SHARED_SCOPE_VIEWS) this.#scopeViews.set(key, view)
    return view
  }

  /** @internal socket 'close' listener */
  removed (conn: Connection): void { this.#remove(conn) }

  #remove (conn: Connection): void {
    conn.closed()
    this.#all.delete(conn)
    this.#open.delete(conn)
    this.#closedWaiters.get(conn)?.()
    const key = conn.presenceKey
    if (key === undefined) return
    const refs = (this.#presenceRefs.get(key) ?? 1) - 1
    if (refs > 0) {
      this.#presenceRefs.set(key, refs)
      return
    }
    this.#presenceRefs.delete(key)
    this.#deps.presence.remove(key)
  }

  /** `shutdown` to every client, close 1012, and a grace period before sockets are cut. */
  async shutdown (notice: { reason: string, restartExpectedMs?: number }): Promise<void> {
    this.#closing = true
    clearInterval(this.#tickTimer)
    clearInterval(this.#pingTimer)
    const payload = notice.restartExpectedMs === undefined ? { reason: notice.reason } : { reason: notice.reason, restartExpectedMs: notice.restartExpectedMs }
    this.#fanOut(seqEventFrame('shutdown', JSON.stringify(payload)), { event: 'shutdown', opts: {} })
    const waits: Array<Promise<void>> = []
    for (const conn of this.#all) {
      waits.push(new Promise((resolve) => { this.#closedWaiters.set(conn, resolve) }))
      conn.close(1012, 'service restart')
    }
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#deps.settings.closeGraceMs) })
    await Promise.race([Promise.all(waits), grace])
    clearTimeout(timer)
    for (const conn of this.#all) conn.socket.terminate()
    this.#closedWaiters.clear()
  }
}
