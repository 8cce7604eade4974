// The `connect` request (contract 1.3): params, protocol, role, browser
// origin, shared-secret auth, device proof and pairing, then the effective
// scopes. Every failure answers with the exact error and close code clients
// know, and closes the socket.
import type { GatewayAuth } from '../auth.js'
import { ConnectParams as ConnectParamsSchema, MIN_PROBE_PROTOCOL, PROTOCOL_VERSION, type ConnectParams, type RequestFrame } from '../../schemas/frames.js'
import type { GatewayConfig } from '../../schemas/config.js'
import type { DevicePairing, PairingReason } from '../../src/devices/pairing.js'
import { verifyConnectProof } from '../../src/devices/proof.js'
import { RpcError } from '../../src/errors/index.js'
import { DEFAULT_OPERATOR_SCOPES, normalizeScopes, scopeSatisfied } from '../../src/rpc/scopes.js'
import type { Role } from '../../src/rpc/types.js'
import { compile, describeErrors } from '../../src/rpc/validation.js'
import { authenticateConnect, type AuthMethod } from './connect-auth.js'
import type { Admission, Connection } from './connection.js'
import { checkBrowserOrigin, ORIGIN_NOT_ALLOWED } from './origin.js'
import { DEVICE_SIGNATURE_SKEW_MS } from './settings.js'

const connectParams = compile(ConnectParamsSchema)
const NO_CAPS: ReadonlySet<string> = new Set()

export interface HandshakeDeps {
  auth: GatewayAuth
  pairing: DevicePairing
  config: () => Readonly<GatewayConfig>
  now: () => number
}

export interface HandshakeResult extends Admission {
  protocol: number
  authMethod: AuthMethod
}

const PAIRING_TEXT: Record<PairingReason, { message: string, requirement: string }> = {
  'not-paired': { message: 'device pairing required', requirement: 'device is not approved yet' },
  'role-upgrade': { message: 'role upgrade pending approval', requirement: 'device is asking for a higher role than currently approved' },
  'scope-upgrade': { message: 'scope upgrade pending approval', requirement: 'device is asking for more scopes than currently approved' }
}

export async function runHandshake (conn: Connection, frame: RequestFrame, deps: HandshakeDeps): Promise<HandshakeResult | undefined> {
  const id = frame.id
  const params = frame.params
  if (!connectParams.Check(params)) {
    const message = `invalid connect params: ${describeErrors(connectParams, params)}`
    return conn.reject(id, new RpcError('INVALID_REQUEST', message), 1008, message)
  }
  const protocol = negotiateProtocol(params)
  if (protocol === undefined) {
    return conn.reject(id, new RpcError('INVALID_REQUEST', 'protocol mismatch', {
      details: { code: 'PROTOCOL_MISMATCH', clientMinProtocol: params.minProtocol, clientMaxProtocol: params.maxProtocol, expectedProtocol: PROTOCOL_VERSION, minimumProbeProtocol: MIN_PROBE_PROTOCOL }
    }), 1002, 'protocol mismatch')
  }
  const role = params.role ?? 'operator'
  if (role !== 'operator' && role !== 'node') return conn.reject(id, new RpcError('INVALID_REQUEST', 'invalid role'), 1008, 'invalid role')

  const { peer } = conn
  if (peer.origin !== undefined) {
    const ui = deps.config().gateway?.controlUi
    const decision = checkBrowserOrigin(peer.origin, peer.host, peer.isLocal, {
      allowedOrigins: ui?.allowedOrigins ?? [],
      allowHostHeaderFallback: ui?.dangerouslyAllowHostHeaderOriginFallback === true
    })
    if (!decision.ok) {
      return conn.reject(id, new RpcError('INVALID_REQUEST', ORIGIN_NOT_ALLOWED, {
        details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', reason: decision.reason }
      }), 1008, ORIGIN_NOT_ALLOWED)
    }
  }

  const auth = authenticateConnect(deps.auth, { params, ip: peer.ip, isLocal: peer.isLocal, origin: peer.origin })
  if (!auth.ok) {
    // Never the secret itself: the reason names what was wrong with it.
    conn.log.warn(`unauthorized conn=${conn.connId} reason=${auth.reason}`)
    return conn.reject(id, auth.error, 1008, auth.error.message)
  }

  const scopes = await resolveScopes(conn, id, params, role, deps)
  if (scopes === undefined || conn.phase === 'closed') return undefined
  return {
    protocol,
    authMethod: auth.method,
    client: params.client,
    role,
    scopes: capByHeader(scopes.scopes, peer.scopesHeader),
    caps: params.caps === undefined || params.caps.length === 0 ? NO_CAPS : new Set(params.caps),
    deviceId: scopes.deviceId
  }
}

/** Accepts ranges containing 4; probes may touch 3..4; node hosts may still speak 3. */
function negotiateProtocol (p: ConnectParams): number | undefined {
  const { minProtocol: min, maxProtocol: max } = p
  if (min <= PROTOCOL_VERSION && PROTOCOL_VERSION <= max) return PROTOCOL_VERSION
  if (p.client.mode === 'probe' && min <= PROTOCOL_VERSION && max >= MIN_PROBE_PROTOCOL) return Math.min(max, PROTOCOL_VERSION)
  if (p.role === 'node' && p.client.mode === 'node' && min <= MIN_PROBE_PROTOCOL && MIN_PROBE_PROTOCOL <= max) return MIN_PROBE_PROTOCOL
  return undefined
}

async function resolveScopes (conn: Connection, id: string, params: ConnectParams, role: Role, deps: HandshakeDeps): Promise<{ scopes: string[], deviceId?: string } | undefined> {
  const { peer } = conn
  const requested = normalizeScopes(params.scopes)
  if (params.device === undefined) {
    if (role === 'node') {
      return conn.reject(id, new RpcError('NOT_PAIRED', 'device identity required', { details: { code: 'DEVICE_IDENTITY_REQUIRED' } }), 1008, 'device identity required')
    }
    // Device-less shared-secret operators: trusted on this machine, scope-less from anywhere else.
    if (!peer.isLocal) return { scopes: [] }
    return { scopes: requested.length > 0 ? requested : [...DEFAULT_OPERATOR_SCOPES] }
  }

  const proof = verifyConnectProof(params.device, { params, role, nonce: conn.nonce, now: deps.now(), skewMs: DEVICE_SIGNATURE_SKEW_MS })
  if (!proof.ok) {
    return conn.reject(id, new RpcError('INVALID_REQUEST', proof.message, { details: { code: proof.code, reason: proof.reason } }), 1008, proof.message)
  }
  const isUi = params.client.id === 'openclaw-control-ui' || params.client.id === 'webchat-ui' || params.client.mode === 'webchat'
  const decision = await deps.pairing.admit({
    deviceId: proof.deviceId,
    publicKey: proof.publicKey,
    role,
    requestedScopes: requested,
    client: params.client,
    remoteIp: peer.ip,
    silentAllowed: peer.isLocal && (peer.origin === undefined || isUi)
  })
  if (decision.kind === 'pairing-required') {
    const text = PAIRING_TEXT[decision.reason]
    return conn.reject(id, new RpcError('NOT_PAIRED', text.message, {
      details: { code: 'PAIRING_REQUIRED', reason: decision.reason, requestId: decision.requestId }
    }), 1008, `pairing required: ${text.requirement} (requestId: ${decision.requestId})`)
  }
  return { scopes: decision.scopes, deviceId: proof.deviceId }
}

/** `x-openclaw-scopes: a,b` on the upgrade request narrows what the connection may use. */
function capByHeader (scopes: string[], header: string[] | undefined): string[] {
  if (header === undefined) return scopes
  const allowed = new Set(header)
  return scopes.filter((s) => scopeSatisfied(s, allowed))
}
