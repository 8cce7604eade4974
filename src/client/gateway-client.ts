// A small WS RPC client for the gateway: waits for `connect.challenge`, sends
// `connect`, resolves on `hello-ok`; then `request()` with ids and timeouts, and
// server events through an emitter. No reconnects: callers decide what to retry.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { GatewayClientError, connectError, socketError } from '../errors/client.js'
import {
  MIN_PROBE_PROTOCOL, OPERATOR_SCOPES, PROTOCOL_VERSION, parseFrame,
  type ConnectAuth, type ConnectChallenge, type ConnectParams, type DeviceProof, type EventFrame, type HelloOk, type ResFrame
} from './frames.js'

export interface GatewayClientOptions {
  url: string
  clientVersion: string
  auth?: ConnectAuth
  /** Offer protocol 3..4 (a probe) instead of exactly 4. */
  probe?: boolean
  scopes?: readonly string[]
  platform?: string
  /** Signs the challenge with a device identity; undefined sends none. */
  device?: (challenge: ConnectChallenge, params: ConnectParams) => Promise<DeviceProof | undefined>
  /** Socket open + challenge + hello-ok (default 15 s, the server's own pre-auth budget). */
  handshakeTimeoutMs?: number
  /** Default per-request timeout (default 30 s). */
  requestTimeoutMs?: number
}

export interface RequestOptions {
  /** Ignore an ok response whose payload.status is "accepted" and wait for the next one (agent runs). */
  expectFinal?: boolean
  timeoutMs?: number
}

interface Pending {
  method: string
  expectFinal: boolean
  timer: NodeJS.Timeout
  resolve: (payload: unknown) => void
  reject: (err: Error) => void
}

const MAX_PAYLOAD = 25 * 1024 * 1024

export class GatewayClient extends EventEmitter<{ event: [EventFrame], close: [number, string] }> {
  readonly url: string
  readonly #opts: GatewayClientOptions
  readonly #ws: WebSocket
  readonly #pending = new Map<string, Pending>()
  readonly #connectId = randomUUID()
  #hello: HelloOk | undefined
  #handshake: { resolve: (hello: HelloOk) => void, reject: (err: GatewayClientError) => void } | undefined
  #closed = false

  private constructor (opts: GatewayClientOptions) {
    super()
    this.url = opts.url
    this.#opts = opts
    const handshakeMs = opts.handshakeTimeoutMs ?? 15_000
    this.#ws = new WebSocket(opts.url, { perMessageDeflate: false, maxPayload: MAX_PAYLOAD, handshakeTimeout: handshakeMs })
    // One listener set for the whole life of the socket, attached before any frame can arrive.
    this.#ws.on('message', (data) => { this.#onMessage(data.toString()) })
    this.#ws.on('error', (err) => { this.#failHandshake(socketError(this.url, err)) })
    this.#ws.on('close', (code, reason) => { this.#onClose(code, reason.toString()) })
  }

  /** Opens the socket and completes the handshake; rejects with a GatewayClientError. */
  static async connect (opts: GatewayClientOptions): Promise<GatewayClient> {
    const client = new GatewayClient(opts)
    const timeoutMs = opts.handshakeTimeoutMs ?? 15_000
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<HelloOk>((resolve, reject) => {
        client.#handshake = { resolve, reject }
        timer = setTimeout(() => {
          client.#failHandshake(new GatewayClientError('HANDSHAKE_TIMEOUT', `gateway at ${opts.url} did not complete the handshake within ${timeoutMs} ms`, { url: opts.url }))
        }, timeoutMs)
      })
    } catch (err) {
      client.#ws.terminate()
      throw err
    } finally {
      clearTimeout(timer)
    }
    return client
  }

  get hello (): HelloOk {
    if (this.#hello === undefined) throw new Error('not connected')
    return this.#hello
  }

  get scopes (): readonly string[] { return this.#hello?.auth?.scopes ?? [] }

  supports (method: string): boolean { return this.#hello?.features?.methods?.includes(method) ?? false }

  async request<T = unknown> (method: string, params?: unknown, opts: RequestOptions = {}): Promise<T> {
    if (this.#closed) throw new GatewayClientError('CLOSED', `gateway connection to ${this.url} is closed`, { url: this.url })
    const id = randomUUID()
    const timeoutMs = opts.timeoutMs ?? this.#opts.requestTimeoutMs ?? 30_000
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new GatewayClientError('TIMEOUT', `${method}: no response from the gateway within ${timeoutMs} ms`, { url: this.url }))
      }, timeoutMs)
      this.#pending.set(id, { method, expectFinal: opts.expectFinal === true, timer, resolve: resolve as (p: unknown) => void, reject })
      const frame = params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params }
      this.#ws.send(JSON.stringify(frame), (err) => {
        if (err === undefined || err === null) return
        this.#settle(id)?.reject(new GatewayClientError('CLOSED', `${method}: could not send the request (${err.message})`, { url: this.url }))
      })
    })
  }

  /** Closes the socket (1000) and waits briefly for the close handshake. */
  async close (): Promise<void> {
    if (this.#closed) return
    const ws = this.#ws
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { ws.terminate(); resolve() }, 1000)
      ws.once('close', () => { clearTimeout(timer); resolve() })
      ws.close(1000)
    })
  }

  #onMessage (text: string): void {
    const frame = parseFrame(text)
    if (frame === undefined) return
    if (frame.type === 'event') {
      if (frame.event === 'connect.challenge' && this.#handshake !== undefined) {
        this.#sendConnect(frame.payload as ConnectChallenge).catch((err: unknown) => {
          this.#failHandshake(new GatewayClientError('PROTOCOL', `could not send connect: ${(err as Error).message}`, { url: this.url }))
        })
        return
      }
      this.emit('event', frame)
      return
    }
    if (frame.id === this.#connectId) { this.#onConnectResponse(frame); return }
    const pending = this.#pending.get(frame.id)
    if (pending === undefined) return
    if (frame.ok) {
      const status = (frame.payload as { status?: unknown } | undefined)?.status
      if (pending.expectFinal && status === 'accepted') return
      this.#settle(frame.id)?.resolve(frame.payload)
      return
    }
    const error = frame.error ?? { code: 'UNAVAILABLE', message: 'request failed' }
    this.#settle(frame.id)?.reject(new GatewayClientError('RPC_ERROR', `${pending.method} failed: ${error.message}`, { url: this.url, rpc: error }))
  }

  #onConnectResponse (res: ResFrame): void {
    const handshake = this.#handshake
    if (handshake === undefined) return
    this.#handshake = undefined
    if (!res.ok) { handshake.reject(connectError(this.url, res.error ?? { code: 'UNAVAILABLE', message: 'connect failed' })); return }
    const hello = res.payload as HelloOk | undefined
    if (hello?.type !== 'hello-ok') {
      handshake.reject(new GatewayClientError('PROTOCOL', `gateway at ${this.url} answered connect without hello-ok`, { url: this.url }))
      return
    }
    this.#hello = hello
    handshake.resolve(hello)
  }

  async #sendConnect (challenge: ConnectChallenge): Promise<void> {
    const opts = this.#opts
    const params: ConnectParams = {
      minProtocol: opts.probe === true ? MIN_PROBE_PROTOCOL : PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: { id: 'cli', version: opts.clientVersion, platform: opts.platform ?? process.platform, mode: 'cli' },
      role: 'operator',
      scopes: [...(opts.scopes ?? OPERATOR_SCOPES)]
    }
    const auth = compactAuth(opts.auth)
    if (auth !== undefined) params.auth = auth
    const device = opts.device === undefined ? undefined : await opts.device(challenge, params)
    if (device !== undefined) params.device = device
    this.#ws.send(JSON.stringify({ type: 'req', id: this.#connectId, method: 'connect', params }))
  }

  #failHandshake (err: GatewayClientError): void {
    const handshake = this.#handshake
    if (handshake === undefined) return
    this.#handshake = undefined
    handshake.reject(err)
  }

  #onClose (code: number, reason: string): void {
    this.#closed = true
    // A close during the handshake carries the refusal (auth messages are close reasons too).
    this.#failHandshake(connectError(this.url, {
      code: reason.startsWith('unauthorized') ? 'INVALID_REQUEST' : 'UNAVAILABLE',
      message: reason === '' ? `gateway closed the connection (${code})` : reason
    }, code))
    for (const id of [...this.#pending.keys()]) {
      const p = this.#settle(id)
      p?.reject(new GatewayClientError('CLOSED', `${p.method}: gateway closed the connection (${code})${reason === '' ? '' : `: ${reason}`}`, { url: this.url, closeCode: code }))
    }
    this.emit('close', code, reason)
  }

  #settle (id: string): Pending | undefined {
    const p = this.#pending.get(id)
    if (p === undefined) return undefined
    clearTimeout(p.timer)
    this.#pending.delete(id)
    return p
  }
}

function compactAuth (auth: ConnectAuth | undefined): ConnectAuth | undefined {
  if (auth === undefined) return undefined
  const out: ConnectAuth = {}
  if (auth.token !== undefined && auth.token !== '') out.token = auth.token
  if (auth.password !== undefined && auth.password !== '') out.password = auth.password
  if (auth.deviceToken !== undefined && auth.deviceToken !== '') out.deviceToken = auth.deviceToken
  return Object.keys(out).length === 0 ? undefined : out
}
