// Client side of device identity, used by our CLI (and tests) to sign the
// connect request the way OpenClaw's CLI does.
import { generateKeyPairSync, createPrivateKey, sign } from 'node:crypto'
import type { DeviceProof } from '../../schemas/frames.js'
import { buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3, deviceIdOf, rawPublicKey } from './identity.js'

export interface DeviceIdentity {
  deviceId: string
  /** Raw 32-byte public key, base64url (what `device.publicKey` carries). */
  publicKey: string
  publicKeyPem: string
  privateKeyPem: string
}

export function createDeviceIdentity (): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const raw = rawPublicKey(publicKeyPem)!
  return { deviceId: deviceIdOf(raw), publicKey: raw.toString('base64url'), publicKeyPem, privateKeyPem }
}

export interface SignConnectInput {
  identity: Pick<DeviceIdentity, 'deviceId' | 'publicKey' | 'privateKeyPem'>
  /** The connect.challenge nonce. */
  nonce: string
  /** Defaults to now; the gateway accepts ±120 s. */
  signedAtMs?: number
  clientId: string
  clientMode: string
  role?: string
  scopes?: readonly string[]
  /** The shared token (or device / bootstrap token) sent in `auth`. */
  token?: string | undefined
  platform?: string | undefined
  deviceFamily?: string | undefined
  version?: 'v3' | 'v2'
}

/** The `device` block of ConnectParams. */
export function signDeviceConnect (input: SignConnectInput): DeviceProof {
  const signedAtMs = input.signedAtMs ?? Date.now()
  const payloadInput = {
    deviceId: input.identity.deviceId,
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role ?? 'operator',
    scopes: input.scopes ?? [],
    signedAtMs,
    token: input.token,
    nonce: input.nonce,
    platform: input.platform,
    deviceFamily: input.deviceFamily
  }
  const payload = input.version === 'v2' ? buildDeviceAuthPayloadV2(payloadInput) : buildDeviceAuthPayloadV3(payloadInput)
  const signature = sign(null, Buffer.from(payload, 'utf8'), createPrivateKey(input.identity.privateKeyPem)).toString('base64url')
  return { id: input.identity.deviceId, publicKey: input.identity.publicKey, signature, signedAt: signedAtMs, nonce: input.nonce }
}
