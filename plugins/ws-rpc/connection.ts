// One WebSocket client: the pre-auth state machine (challenge → connect →
// hello-ok), then request frames, cancel frames and per-connection event seq.
// Everything here is per socket; shared state lives in the hub.
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { RequestFrame } from '../../schemas/frames.js'
import { RequestFrame as RequestFrameSchema } from '../../schemas/frames.js'
import type { FastifyBaseLogger as Logger } from 'fastify'
import { invalidFrame } from '../../src/errors/rpc.js'
import { directEventFrame, resErrFrame, type SeqFrame } from '../../src/rpc/frames.js'
import { abortInflight, type InflightRequest, type RpcPeer } from '../../src/rpc/request-context.js'
import { SessionSubscriptionSet } from '../../src/rpc/session-subscriptions.js'
import type { ClientInfo, Role } from '../../src/rpc/types.js'
import { compile, describeErrors } from '../../src/rpc/validation.js'
import { RpcError, type RpcErrorShape } from '../../src/errors/index.js'
import { MAX_PENDING_HANDSHAKE_FRAMES, MAX_PREAUTH_PAYLOAD_BYTES, MAX_UNAUTHORIZED_CALLS, truncateCloseReason } from './settings.js'

const requestFrame = compile(RequestFrameSchema)
const EMPTY: ReadonlySet<string> = new Set()

/** The TCP socket under the WebSocket, for write batching. */
export interface Corkable { cork: () => void, uncork: () => void }

/** What the upgrade request told us, copied so the request itself is not needed later. */
export interface PeerInfo {
  ip: string
  isLocal: boolean
  origin: string | undefined
  host: string | undefined
  /** x-openclaw-scopes: caps the connection's scopes. */
  scopesHeader: string[] | undefined
}

export interface Admission {
  client: ClientInfo
  role: Role
  scopes: string[]
  caps: ReadonlySet<string>
  deviceId: string | undefined
  /** How the connect authenticated (hot reload re-checks shared-secret sockets). */
  authMethod?: string
}

/** Granted scopes as a frozen list and a set; connections with the same grant share one. */
export interface ScopeView { list: readonly string[], set: ReadonlySet<string> }

/** The hub side of a connection: handshake, dispatch and bookkeeping. */
export interface ConnectionOwner {
  readonly log: Logger
  readonly maxBufferedBytes: number
  handshake: (conn: Connection, frame: RequestFrame) => Promise<boolean>
  dispatch: (conn: Connection, frame: RequestFrame) => void
}

type Phase = 'challenge' | 'connecting' | 'open' | 'closed'
type BadInput = 'binary frame' | 'invalid UTF-8' | 'invalid JSON' | 'non-object JSON' | 'invalid frame'

export class Connection implements RpcPeer {
  readonly connId = randomUUID()
  readonly socket: WebSocket
  readonly peer: PeerInfo
  readonly #owner: ConnectionOwner
  readonly #raw: Corkable | undefined
  #corked = false
  #phase: Phase = 'challenge'
  /** The connect.challenge nonce; dropped once the handshake is over. */
  #nonce: string | undefined = randomUUID()
  #queue: Buffer[] | undefined
  #queuedBinary: boolean[] | undefined
  #seq = 0
  #unauthorized = 0
  #badInputLogged = false
  #log: Logger | undefined
  #inflight: Map<string, InflightRequest> | undefined
  #sessions: SessionSubscriptionSet | undefined
  #state: Map<string, unknown> | undefined
  handshakeTimer: NodeJS.Timeout | undefined
  /** When the unanswered keepalive ping was sent (0: none outstanding). */
  pingSentAt = 0

  client!: ClientInfo
  role: Role = 'operator'
  scopes: readonly string[] = []
  scopeSet: ReadonlySet<string> = EMPTY
  caps: ReadonlySet<string> = EMPTY
  deviceId: string | undefined
  authMethod: string | undefined
  presenceKey: string | undefined

  constructor (socket: WebSocket, peer: PeerInfo, owner: ConnectionOwner, raw?: Corkable) {
    this.socket = socket
    this.peer = peer
    this.#owner = owner
    this.#raw = raw
  }

  get ip (): string { return this.peer.ip }
  get nonce (): string { return this.#nonce ?? '' }
  get open (): boolean { return this.#phase === 'open' }
  get phase (): Phase { return this.#phase }
  get seq (): number { return this.#seq }
  get log (): Logger { return (this.#log ??= this.#owner.log.child({ connId: this.connId })) }
  get inflight (): Map<string, InflightRequest> { return (this.#inflight ??= new Map()) }
  get sessions (): SessionSubscriptionSet { return (this.#sessions ??= new SessionSubscriptionSet()) }
  get state (): Map<string, unknown> { return (this.#state ??= new Map()) }
  /** Clients that asked for session-scoped events only get the sessions they subscribed to. */
  get sessionScoped (): boolean { return this.caps.has('session-scoped-events') }
  /** Without allocating a subscription set for the many connections that never subscribe. */
  watchesMessages (sessionKey: string): boolean { return this.#sessions?.watchesMessages(sessionKey) ?? false }

  onMessage (data: Buffer, isBinary: boolean): void {
    if (this.#phase === 'closed') return
    if (this.#phase !== 'open' && data.length > MAX_PREAUTH_PAYLOAD_BYTES) return this.close(1009, 'preauth payload too large')
    if (this.#phase === 'connecting') {
      // Frames sent right after `connect` wait for hello-ok; a bounded number of them.
      if (this.#queue!.length >= MAX_PENDING_HANDSHAKE_FRAMES) return this.close(1008, 'too many pending handshake frames')
      this.#queue!.push(data)
      this.#queuedBinary!.push(isBinary)
      return
    }
    this.#handle(data, isBinary)
  }

  #handle (data: Buffer, isBinary: boolean): void {
    if (isBinary) this.#noteBadInput('binary frame', true)
    let frame: unknown
    try {
      // ws validates UTF-8 on text frames; binary frames are accepted if they carry UTF-8 JSON.
      frame = JSON.parse(isBinary ? decodeUtf8(data) : data.toString('utf8'))
    } catch (err) {
      return this.#rejectInput((err as Error).name === 'TypeError' ? 'invalid UTF-8' : 'invalid JSON', isBinary)
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return this.#rejectInput('non-object JSON', isBinary)
    if (this.#phase === 'challenge') return this.#first(frame)
    const f = frame as { type?: unknown, id?: unknown }
    if (f.type === 'cancel') return this.#cancel(f.id)
    if (!requestFrame.Check(frame)) {
      this.#noteBadInput('invalid frame', isBinary)
      return this.send(resErrFrame(typeof f.id === 'string' && f.id !== '' ? f.id : 'invalid', invalidFrame(describeErrors(requestFrame, frame)).toShape()))
    }
    this.#owner.dispatch(this, frame)
  }

  #rejectInput (kind: BadInput, isBinary: boolean): void {
    this.#noteBadInput(kind, isBinary)
    if (this.#phase === 'challenge') return this.close(1008, 'invalid request frame')
    this.send(resErrFrame('invalid', invalidFrame(kind).toShape()))
  }

  #first (frame: object): void {
    if (!requestFrame.Check(frame)) {
      this.#noteBadInput('invalid frame', false)
      return this.close(1008, 'invalid request frame')
    }
    if (frame.method !== 'connect') {
      const message = 'invalid handshake: first request must be connect'
      this.send(resErrFrame(frame.id, { code: 'INVALID_REQUEST', message }))
      return this.close(1008, message)
    }
    this.#phase = 'connecting'
    this.#queue = []
    this.#queuedBinary = []
    this.#owner.handshake(this, frame).then((ok) => {
      if (ok) this.#drainQueue()
    }, (err: unknown) => {
      this.log.error({ err }, 'handshake failed')
      this.reject(frame.id, { code: 'UNAVAILABLE', message: 'internal error' }, 1011, 'gateway message handler unavailable')
    })
  }

  /** Called by the hub once hello-ok is on the wire. */
  admit (a: Admission, scopes: ScopeView): void {
    this.client = a.client
    this.role = a.role
    this.scopes = scopes.list
    this.scopeSet = scopes.set
    this.caps = a.caps
    this.#nonce = undefined
    this.deviceId = a.deviceId
    this.authMethod = a.authMethod
    this.#phase = 'open'
  }

  #drainQueue (): void {
    const queue = this.#queue ?? []
    const binary = this.#queuedBinary ?? []
    this.#queue = undefined
    this.#queuedBinary = undefined
    for (let i = 0; i < queue.length && this.#phase === 'open'; i++) this.#handle(queue[i]!, binary[i]!)
  }

  #cancel (id: unknown): void {
    if (typeof id !== 'string') return
    const req = this.#inflight?.get(id)
    if (req !== undefined) abortInflight(req, 'request cancelled')
  }

  /** A handshake failure: the error response, then the close. */
  reject (id: string, error: RpcError | RpcErrorShape, code: number, reason: string): undefined {
    this.send(resErrFrame(id, error instanceof RpcError ? error.toShape() : error))
    this.close(code, reason)
    return undefined
  }

  send (frame: string): void {
    if (this.#phase === 'closed' || this.socket.readyState !== 1) return
    if (this.socket.bufferedAmount > this.#owner.maxBufferedBytes) return this.close(1008, 'slow consumer')
    this.#write(frame)
  }

  sendEvent (event: string, payload: unknown): void {
    this.send(directEventFrame(event, payload))
  }

  /** A broadcast event: takes the next seq even when the event is dropped for a slow consumer. */
  deliver (frame: SeqFrame, dropIfSlow: boolean): void {
    if (this.#phase !== 'open') return
    const seq = ++this.#seq
    if (this.socket.bufferedAmount > this.#owner.maxBufferedBytes) {
      if (dropIfSlow) return
      return this.close(1008, 'slow consumer')
    }
    this.#write(frame.head + seq + frame.tail)
  }

  // Frames written in the same tick (a burst of responses, a broadcast) leave in one writev
  // instead of one syscall each: the TCP socket stays corked until the tick ends.
  #write (frame: string): void {
    if (this.#raw !== undefined && !this.#corked) {
      this.#corked = true
      this.#raw.cork()
      process.nextTick(uncork, this)
    }
    this.socket.send(frame)
  }

  /** @internal the nextTick half of #write */
  flushWrites (): void {
    this.#corked = false
    this.#raw?.uncork()
  }

  unauthorized (): void {
    if (++this.#unauthorized > MAX_UNAUTHORIZED_CALLS) this.close(1008, 'repeated unauthorized calls')
  }

  close (code: number, reason?: string): void {
    if (this.#phase === 'closed') return
    this.#phase = 'closed'
    clearTimeout(this.handshakeTimer)
    this.socket.close(code, reason === undefined ? undefined : truncateCloseReason(reason))
  }

  /** Socket is gone: abort what is still running for it. */
  closed (): void {
    this.#phase = 'closed'
    clearTimeout(this.handshakeTimer)
    if (this.#inflight !== undefined) for (const req of this.#inflight.values()) abortInflight(req, 'connection closed')
  }

  #noteBadInput (kind: BadInput, isBinary: boolean): void {
    if (this.#badInputLogged) return
    this.#badInputLogged = true
    this.log.debug({ kind, binary: isBinary, phase: this.#phase }, 'bad client input')
  }
}

function uncork (conn: Connection): void { conn.flushWrites() }

const utf8 = new TextDecoder('utf-8', { fatal: true })
function decodeUtf8 (data: Buffer): string {
  return utf8.decode(data)
}
