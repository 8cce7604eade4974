// Verifies the `device` block of a connect request against the challenge it
// answers (contract 1.3.6) and names the failure the way clients expect.
import type { ConnectParams, DeviceProof } from '../../schemas/frames.js'
import { deviceIdOf, rawPublicKey, verifyDeviceAuth } from './identity.js'

export type ProofFailure =
  | 'device-public-key' | 'device-id-mismatch' | 'device-signature-stale'
  | 'device-nonce-missing' | 'device-nonce-mismatch' | 'device-signature'

export type ProofResult =
  | { ok: true, deviceId: string, publicKey: string, version: 'v2' | 'v3' }
  | { ok: false, reason: ProofFailure, code: string, message: string }

const FAILURES: Record<ProofFailure, { code: string, message: string }> = {
  'device-public-key': { code: 'DEVICE_AUTH_PUBLIC_KEY_INVALID', message: 'device public key invalid' },
  'device-id-mismatch': { code: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', message: 'device identity mismatch' },
  'device-signature-stale': { code: 'DEVICE_AUTH_SIGNATURE_EXPIRED', message: 'device signature expired' },
  'device-nonce-missing': { code: 'DEVICE_AUTH_NONCE_REQUIRED', message: 'device nonce required' },
  'device-nonce-mismatch': { code: 'DEVICE_AUTH_NONCE_MISMATCH', message: 'device nonce mismatch' },
  'device-signature': { code: 'DEVICE_AUTH_SIGNATURE_INVALID', message: 'device signature invalid' }
}

export interface ProofContext {
  params: ConnectParams
  role: string
  /** The connect.challenge nonce this socket was sent. */
  nonce: string
  now: number
  skewMs: number
}

export function verifyConnectProof (device: DeviceProof, ctx: ProofContext): ProofResult {
  const raw = rawPublicKey(device.publicKey)
  if (raw === undefined) return fail('device-public-key')
  const deviceId = deviceIdOf(raw)
  if (deviceId !== device.id) return fail('device-id-mismatch')
  if (Math.abs(ctx.now - device.signedAt) > ctx.skewMs) return fail('device-signature-stale')
  const nonce = device.nonce.trim()
  if (nonce === '') return fail('device-nonce-missing')
  if (nonce !== ctx.nonce) return fail('device-nonce-mismatch')
  const auth = ctx.params.auth
  const version = verifyDeviceAuth(raw, {
    deviceId,
    clientId: ctx.params.client.id,
    clientMode: ctx.params.client.mode,
    role: ctx.role,
    scopes: ctx.params.scopes ?? [],
    signedAtMs: device.signedAt,
    token: auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken,
    nonce,
    platform: ctx.params.client.platform,
    deviceFamily: ctx.params.client.deviceFamily
  }, device.signature)
  if (version === undefined) return fail('device-signature')
  return { ok: true, deviceId, publicKey: raw.toString('base64url'), version }
}

function fail (reason: ProofFailure): ProofResult {
  return { ok: false, reason, ...FAILURES[reason] }
}
