// The Control UI's WebSocket client: challenge → signed connect → hello-ok,
// then req/res with timeouts and server events. It reconnects with backoff
// after a lost connection, and stops (waiting for the operator) on errors a
// retry cannot fix, such as a wrong token.
import { deviceIdentity, deviceProof, resetDeviceIdentity } from './device.js'

export const CLIENT_ID = 'openclaw-control-ui'
export const CLIENT_MODE = 'ui'
const PROTOCOL = 4
const REQUEST_TIMEOUT_MS = 30_000
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000]

export interface RpcErrorShape { code: string, message: string, details?: Record<string, unknown>, retryable?: boolean, retryAfterMs?: number }

export class RpcError extends Error {
  readonly code: string
  readonly details: Record<string, unknown> | undefined
  constructor (e: RpcErrorShape) {
    super(e.message)
    this.code = e.code
    this.details = e.details
  }
}

export interface HelloOk {
  server: { version: string, connId: string }
  features: { methods: string[], events: string[] }
  snapshot: {
    health: Health
    presence: Presence[]
    uptimeMs: number
    sessionDefaults?: { defaultAgentId: string, mainKey: string, mainSessionKey: string }
    appliedConfigHash?: string | null
    configPath?: string
  }
  auth: { role: string, scopes: string[] }
  policy: { tickIntervalMs: number }
}

export interface Health {
  ok?: boolean
  ts?: number
  configReload?: { hotReloadStatus: string, lastError?: string, lastErrorAt?: number }
  secrets?: { status: 'ok' | 'degraded', lastError?: string, lastErrorAt?: number }
  sessions?: { count: number }
  defaultAgentId?: string
}

export interface Presence { host?: string, ip?: string, version?: string, platform?: string, mode?: string, ts: number, deviceId?: string, reason?: string }

/** Why the client is not connected, in words an operator can act on. */
export interface ConnectProblem {
  kind: 'auth' | 'origin' | 'pairing' | 'unreachable' | 'protocol' | 'rate-limited' | 'device' | 'closed'
  message: string
  /** The gateway's own wording, when it sent one. */
  detail?: string
  /** False when retrying cannot help until the operator acts (a wrong token). */
  retrying: boolean
  /** For `auth`: which secret the gateway asks for (`gateway.auth.mode`). */
  credential?: 'token' | 'password'
}

export type ConnState =
  | { status: 'idle' }
  | { status: 'connecting', attempt: number, problem?: ConnectProblem }
  | { status: 'connected', hello: HelloOk }
  | { status: 'reconnecting', attempt: number, problem?: ConnectProblem, lastHello?: HelloOk }
  | { status: 'disconnected', problem: ConnectProblem }

export interface EventFrame { event: string, payload: any, seq?: number }

interface Pending { resolve: (v: any) => void, reject: (e: Error) => void, timer: number }

export interface GatewayClientOptions {
  url: string
  token: () => string | undefined
  /** A gateway password (`gateway.auth.mode: "password"`); sent instead of the token when set. */
  password: () => string | undefined
  version: string
}

export class GatewayClient {
  state: ConnState = { status: 'idle' }
  readonly #opts: GatewayClientOptions
  readonly #stateListeners = new Set<(s: ConnState) => void>()
  readonly #eventListeners = new Set<(e: EventFrame) => void>()
  readonly #pending = new Map<string, Pending>()
  #ws: WebSocket | undefined
  #nextId = 0
  #attempt = 0
  #retryTimer: number | undefined
  #watchdog: number | undefined
  #lastFrameAt = 0
  #everConnected = false
  #lastHello: HelloOk | undefined
  #stopped = true

  constructor (opts: GatewayClientOptions) {
    this.#opts = opts
  }

  onState (fn: (s: ConnState) => void): () => void {
    this.#stateListeners.add(fn)
    return () => { this.#stateListeners.delete(fn) }
  }

  onEvent (fn: (e: EventFrame) => void): () => void {
    this.#eventListeners.add(fn)
    return () => { this.#eventListeners.delete(fn) }
  }

  get hello (): HelloOk | undefined {
    return this.state.status === 'connected' ? this.state.hello : undefined
  }

  supports (method: string): boolean {
    return this.#lastHello?.features.methods.includes(method) ?? false
  }

  start (): void {
    this.#stopped = false
    this.#attempt = 0
    clearTimeout(this.#retryTimer)
    this.#open()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#retryTimer)
    this.#ws?.close(1000)
    this.#ws = undefined
  }

  async request<T = any> (method: string, params?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    const ws = this.#ws
    if (ws === undefined || this.state.status !== 'connected') throw new Error('Not connected to the gateway')
    const id = `ui-${++this.#nextId}`
    return await new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${method}: no answer from the gateway within ${Math.round(timeoutMs / 1000)} s`))
      }, timeoutMs)
      this.#pending.set(id, { resolve, reject, timer })
      ws.send(JSON.stringify(params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params }))
    })
  }

  #setState (s: ConnState): void {
    this.state = s
    for (const fn of this.#stateListeners) fn(s)
  }

  #open (): void {
    const attempt = ++this.#attempt
    const problem = 'problem' in this.state ? this.state.problem : undefined
    this.#setState(this.#everConnected
      ? { status: 'reconnecting', attempt, problem, lastHello: this.#lastHello }
      : { status: 'connecting', attempt, problem })
    let ws: WebSocket
    try {
      ws = new WebSocket(this.#opts.url)
    } catch (err) {
      this.#fail({ kind: 'unreachable', message: `Cannot open a connection to ${this.#opts.url}: ${(err as Error).message}`, retrying: true })
      return
    }
    this.#ws = ws
    let handshakeDone = false
    let rejected: ConnectProblem | undefined
    ws.onmessage = (msg) => {
      this.#lastFrameAt = Date.now()
      let frame: any
      try { frame = JSON.parse(String(msg.data)) } catch { return }
      if (frame.type === 'event' && frame.event === 'connect.challenge' && !handshakeDone) {
        this.#sendConnect(ws, frame.payload).catch((err: Error) => {
          rejected = { kind: 'device', message: `Could not sign in with this browser's device key: ${err.message}`, retrying: true }
          ws.close()
        })
        return
      }
      if (frame.type === 'res' && frame.id === 'connect') {
        if (frame.ok === true) {
          handshakeDone = true
          this.#attempt = 0
          this.#everConnected = true
          this.#lastHello = frame.payload as HelloOk
          this.#startWatchdog(ws, this.#lastHello.policy.tickIntervalMs)
          this.#setState({ status: 'connected', hello: this.#lastHello })
        } else {
          rejected = describeRejection(frame.error as RpcErrorShape)
        }
        return
      }
      if (frame.type === 'res') {
        const p = this.#pending.get(frame.id)
        if (p === undefined) return
        this.#pending.delete(frame.id)
        clearTimeout(p.timer)
        if (frame.ok === true) p.resolve(frame.payload)
        else p.reject(new RpcError(frame.error ?? { code: 'UNAVAILABLE', message: 'request failed' }))
        return
      }
      if (frame.type === 'event') {
        for (const fn of this.#eventListeners) fn(frame as EventFrame)
      }
    }
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return
      this.#ws = undefined
      clearInterval(this.#watchdog)
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer)
        p.reject(new Error('The connection to the gateway was lost'))
        this.#pending.delete(id)
      }
      if (this.#stopped) return
      if (rejected !== undefined) { this.#fail(rejected); return }
      if (!handshakeDone && ev.code === 1008 && ev.reason !== '') { this.#fail(describeRejection({ code: 'INVALID_REQUEST', message: ev.reason })); return }
      const why = ev.code === 1012
        ? 'The gateway is restarting.'
        : handshakeDone ? `The connection was lost (${ev.code}${ev.reason !== '' ? ` ${ev.reason}` : ''}).` : `The gateway at ${this.#opts.url} is unreachable.`
      this.#fail({ kind: handshakeDone || ev.code === 1012 ? 'closed' : 'unreachable', message: why, retrying: true })
    }
  }

  async #sendConnect (ws: WebSocket, challenge: { nonce: string, ts: number }): Promise<void> {
    const password = this.#opts.password()
    const token = password === undefined ? this.#opts.token() : undefined
    const identity = await deviceIdentity()
    const platform = (navigator as { userAgentData?: { platform?: string } }).userAgentData?.platform || navigator.platform || 'web'
    const client = { id: CLIENT_ID, version: this.#opts.version, platform, mode: CLIENT_MODE, deviceFamily: 'browser', displayName: 'Control UI' }
    const device = await deviceProof(identity, {
      clientId: CLIENT_ID, clientMode: CLIENT_MODE, role: 'operator', scopes: [], token, nonce: challenge.nonce, signedAt: challenge.ts, platform, deviceFamily: 'browser'
    })
    const params = {
      minProtocol: PROTOCOL,
      maxProtocol: PROTOCOL,
      client,
      role: 'operator',
      ...(password !== undefined ? { auth: { password } } : token !== undefined ? { auth: { token } } : {}),
      device,
      locale: navigator.language,
      userAgent: navigator.userAgent
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }))
  }

  /** The server ticks every tickIntervalMs; two missed ticks mean a dead link (contract 1.1). */
  #startWatchdog (ws: WebSocket, tickMs: number): void {
    clearInterval(this.#watchdog)
    this.#watchdog = window.setInterval(() => {
      if (Date.now() - this.#lastFrameAt > tickMs * 2) ws.close(4000, 'tick timeout')
    }, Math.max(1000, Math.floor(tickMs / 2)))
  }

  #fail (problem: ConnectProblem): void {
    if (problem.kind === 'device') resetDeviceIdentity()
    if (!problem.retrying) {
      this.#stopped = true
      this.#setState({ status: 'disconnected', problem })
      return
    }
    const delay = problem.kind === 'pairing' ? 3000 : BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!
    this.#setState(this.#everConnected
      ? { status: 'reconnecting', attempt: this.#attempt, problem, lastHello: this.#lastHello }
      : { status: 'connecting', attempt: this.#attempt, problem })
    clearTimeout(this.#retryTimer)
    this.#retryTimer = window.setTimeout(() => { this.#open() }, delay)
  }
}

/** Turns a connect rejection into what the operator should do about it. */
export function describeRejection (e: RpcErrorShape): ConnectProblem {
  const code = typeof e.details?.code === 'string' ? e.details.code : ''
  const detail = e.message
  if (code.startsWith('AUTH_PASSWORD') || /^unauthorized: gateway password/.test(detail)) {
    const missing = code.endsWith('MISSING') || /missing/.test(detail)
    return {
      kind: 'auth',
      credential: 'password',
      message: missing
        ? 'This gateway is protected by a password (gateway.auth.password). Enter it below.'
        : 'The gateway did not accept this password. Check it and try again.',
      detail,
      retrying: false
    }
  }
  if (code.startsWith('AUTH_TOKEN') || /^unauthorized: gateway token/.test(detail)) {
    const missing = code.endsWith('MISSING') || /missing/.test(detail)
    return {
      kind: 'auth',
      credential: 'token',
      message: missing
        ? 'This gateway needs its token. Paste it below, or open the dashboard link that `openclaw dashboard` prints.'
        : 'The gateway did not accept this token. Check it and try again (`openclaw dashboard` prints a link with the right one).',
      detail,
      retrying: false
    }
  }
  if (code === 'AUTH_RATE_LIMITED') {
    return { kind: 'rate-limited', message: 'Too many failed sign-in attempts from this browser. Wait a few minutes, then try again.', detail, retrying: false }
  }
  if (code === 'CONTROL_UI_ORIGIN_NOT_ALLOWED' || detail.startsWith('origin not allowed')) {
    return {
      kind: 'origin',
      message: `The gateway does not accept connections from this page's origin (${location.origin}). Open the Control UI from the gateway host, or add this origin to gateway.controlUi.allowedOrigins.`,
      detail,
      retrying: false
    }
  }
  if (code === 'PAIRING_REQUIRED' || detail.startsWith('pairing required') || detail.endsWith('pending approval')) {
    const requestId = typeof e.details?.requestId === 'string' ? e.details.requestId : (/requestId: ([\w-]+)/.exec(detail)?.[1] ?? '')
    return {
      kind: 'pairing',
      message: `This browser is not paired with the gateway yet. Approve it on the gateway host: openclaw gateway call device.pair.approve --params '{"requestId":"${requestId}"}'. Waiting for approval…`,
      detail,
      retrying: true
    }
  }
  if (code.startsWith('DEVICE_AUTH') || code === 'DEVICE_IDENTITY_REQUIRED') {
    return { kind: 'device', message: `The gateway rejected this browser's device key (${detail}). A new key will be made.`, detail, retrying: true }
  }
  if (code === 'PROTOCOL_MISMATCH' || detail === 'protocol mismatch') {
    return { kind: 'protocol', message: 'This Control UI and the gateway speak different protocol versions. Reload the page.', detail, retrying: false }
  }
  return { kind: 'closed', message: `The gateway refused the connection: ${detail}`, detail, retrying: true }
}
