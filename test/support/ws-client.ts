// A raw protocol client for ws-rpc tests: records every frame, waits for the
// ones a test cares about (always with a deadline) and speaks just enough of
// the protocol (challenge → connect → hello-ok) to get to requests.
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import type { ConnectParams } from '../../schemas/frames.js'
import { signDeviceConnect, type DeviceIdentity } from '../../src/devices/client.js'

export type Frame = Record<string, any>

export interface OpenOptions {
  headers?: Record<string, string>
  /** Don't parse frames as JSON (raw-input tests). */
  raw?: boolean
  /** false: never answer the server's pings (keepalive tests). */
  autoPong?: boolean
}

export class TestClient {
  readonly ws: WebSocket
  /** The TCP socket under the WebSocket, from the upgrade response (to cork or pause it). */
  socket!: Socket
  readonly frames: Frame[] = []
  readonly closed: Promise<{ code: number, reason: string }>
  #waiters: Array<{ match: (f: Frame) => boolean, resolve: (f: Frame) => void }> = []
  #nextId = 0

  private constructor (ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString() }) })
    })
    ws.on('error', () => {})
    ws.on('message', (data) => {
      let frame: Frame
      try {
        frame = JSON.parse(data.toString()) as Frame
      } catch {
        return
      }
      this.frames.push(frame)
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true
        w.resolve(frame)
        return false
      })
    })
  }

  static async open (url: string, opts: OpenOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers: opts.headers, perMessageDeflate: false, autoPong: opts.autoPong ?? true })
    const client = new TestClient(ws)
    ws.once('upgrade', (res) => { client.socket = res.socket })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => { resolve() })
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => { reject(new Error(`unexpected response ${res.statusCode ?? 0}`)) })
    })
    return client
  }

  /** The first recorded or future frame matching, or a rejection after timeoutMs. */
  next (match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const seen = this.frames.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)) }, timeoutMs)
      this.#waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f) } })
    })
  }

  event (name: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === 'event' && f.event === name, timeoutMs)
  }

  async challenge (): Promise<{ nonce: string, ts: number }> {
    return (await this.event('connect.challenge')).payload as { nonce: string, ts: number }
  }

  send (frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame))
  }

  /** Sends a req and resolves with its (first) res frame. */
  async request (method: string, params?: unknown, id = `r${++this.#nextId}`): Promise<Frame> {
    this.send(params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params })
    return await this.response(id)
  }

  response (id: string, nth = 1, timeoutMs?: number): Promise<Frame> {
    let seen = 0
    return this.next((f) => f.type === 'res' && f.id === id && ++seen === nth, timeoutMs)
  }

  close (): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close()
  }
}

export interface ConnectOptions {
  token?: string | undefined
  password?: string
  clientId?: ConnectParams['client']['id']
  mode?: ConnectParams['client']['mode']
  role?: string
  scopes?: string[]
  caps?: string[]
  minProtocol?: number
  maxProtocol?: number
  instanceId?: string
  displayName?: string
  /** Signs the challenge with this identity (v3 unless version says otherwise). */
  identity?: DeviceIdentity
  signVersion?: 'v2' | 'v3'
  /** Mutate the device proof before sending (bad-signature tests). */
  tamper?: (device: NonNullable<ConnectParams['device']>) => void
  signedAtMs?: number
  nonce?: string
}

export function connectParams (o: ConnectOptions, challengeNonce: string): ConnectParams {
  const client = { id: o.clientId ?? 'cli', version: '1.0.0', platform: 'Linux', mode: o.mode ?? 'cli', deviceFamily: 'Desktop' } as ConnectParams['client']
  if (o.instanceId !== undefined) client.instanceId = o.instanceId
  if (o.displayName !== undefined) client.displayName = o.displayName
  const params: ConnectParams = { minProtocol: o.minProtocol ?? 3, maxProtocol: o.maxProtocol ?? 4, client }
  if (o.role !== undefined) params.role = o.role
  if (o.scopes !== undefined) params.scopes = o.scopes
  if (o.caps !== undefined) params.caps = o.caps
  if (o.token !== undefined || o.password !== undefined) {
    params.auth = {}
    if (o.token !== undefined) params.auth.token = o.token
    if (o.password !== undefined) params.auth.password = o.password
  }
  if (o.identity !== undefined) {
    const device = signDeviceConnect({
      identity: o.identity,
      nonce: o.nonce ?? challengeNonce,
      signedAtMs: o.signedAtMs,
      clientId: client.id,
      clientMode: client.mode,
      role: o.role ?? 'operator',
      scopes: o.scopes ?? [],
      token: o.token,
      platform: client.platform,
      deviceFamily: client.deviceFamily,
      version: o.signVersion
    })
    o.tamper?.(device)
    params.device = device
  }
  return params
}

/** Opens a socket and runs the handshake; returns the client and the connect `res`. */
export async function connect (url: string, o: ConnectOptions = {}, open: OpenOptions = {}): Promise<{ client: TestClient, res: Frame }> {
  const client = await TestClient.open(url, open)
  const { nonce } = await client.challenge()
  const res = await client.request('connect', connectParams(o, nonce), 'connect-1')
  return { client, res }
}

/** connect() that insists on hello-ok. */
export async function connectOk (url: string, o: ConnectOptions = {}, open: OpenOptions = {}): Promise<{ client: TestClient, hello: Frame }> {
  const { client, res } = await connect(url, o, open)
  if (res.ok !== true) throw new Error(`connect failed: ${JSON.stringify(res.error)}`)
  return { client, hello: res.payload as Frame }
}
