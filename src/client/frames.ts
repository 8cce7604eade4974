// The protocol v4 frames as the client sees them (contract 1.2, 1.3). Only the
// fields the CLI reads are typed; everything else passes through untouched.

export const PROTOCOL_VERSION = 4
/** Probes may offer protocol 3..4 (contract 1.3, admission). */
export const MIN_PROBE_PROTOCOL = 3

/** What a local operator CLI asks for; the gateway decides what it grants (hello-ok.auth.scopes). */
export const OPERATOR_SCOPES = [
  'operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'
] as const

export interface RpcErrorShape {
  code: string
  message: string
  details?: unknown
  retryable?: boolean
  retryAfterMs?: number
}

export interface ResFrame { type: 'res', id: string, ok: boolean, payload?: unknown, error?: RpcErrorShape }
export interface EventFrame { type: 'event', event: string, payload?: unknown, seq?: number }

export interface ConnectChallenge { nonce: string, ts: number, capabilities?: string[] }

export interface ClientInfo {
  id: string
  version: string
  platform: string
  mode: string
  displayName?: string
}

export interface ConnectAuth { token?: string, password?: string, deviceToken?: string }

export interface DeviceProof { id: string, publicKey: string, signature: string, signedAt: number, nonce: string }

export interface ConnectParams {
  minProtocol: number
  maxProtocol: number
  client: ClientInfo
  role: 'operator'
  scopes: string[]
  auth?: ConnectAuth
  device?: DeviceProof
}

export interface HelloOk {
  type: 'hello-ok'
  protocol: number
  server: { version: string, connId: string, buildId?: string, bootId?: string }
  features: { methods: string[], events: string[], capabilities?: string[] }
  snapshot: {
    uptimeMs?: number
    health?: unknown
    configPath?: string
    stateDir?: string
    authMode?: string
    [key: string]: unknown
  }
  auth: { role: string, scopes: string[], method?: string, deviceToken?: string }
  policy: { maxPayload: number, maxBufferedBytes: number, tickIntervalMs: number }
}

export function parseFrame (text: string): ResFrame | EventFrame | undefined {
  let value: unknown
  try { value = JSON.parse(text) } catch { return undefined }
  if (typeof value !== 'object' || value === null) return undefined
  const frame = value as { type?: unknown, id?: unknown, event?: unknown }
  if (frame.type === 'res' && typeof frame.id === 'string') return value as ResFrame
  if (frame.type === 'event' && typeof frame.event === 'string') return value as EventFrame
  return undefined
}
