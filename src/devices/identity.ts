// Device identity (contract 1.3.6): an Ed25519 key pair whose raw 32-byte
// public key travels base64url-encoded; the device id is the hex SHA-256 of
// that raw key, so nobody can claim another device's id without its key.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const RAW_KEY_BYTES = 32
const SIGNATURE_BYTES = 64

export interface DeviceAuthPayloadInput {
  deviceId: string
  clientId: string
  clientMode: string
  role: string
  scopes: readonly string[]
  signedAtMs: number
  /** auth.token ?? auth.deviceToken ?? auth.bootstrapToken */
  token: string | undefined
  nonce: string
  platform?: string | undefined
  deviceFamily?: string | undefined
}

/** Raw key bytes from a base64url (or base64) raw key or an SPKI PEM; undefined when malformed. */
export function rawPublicKey (input: string): Buffer | undefined {
  const text = input.trim()
  if (text.startsWith('-----BEGIN')) {
    try {
      const der = createPublicKey(text).export({ type: 'spki', format: 'der' })
      if (der.length !== ED25519_SPKI_PREFIX.length + RAW_KEY_BYTES || !der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) return undefined
      return der.subarray(ED25519_SPKI_PREFIX.length)
    } catch {
      return undefined
    }
  }
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(text)) return undefined
  const raw = Buffer.from(text, 'base64url')
  return raw.length === RAW_KEY_BYTES ? raw : undefined
}

export function deviceIdOf (raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex')
}

export function publicKeyObject (raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

export function verifySignature (raw: Buffer, payload: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url')
  if (sig.length !== SIGNATURE_BYTES) return false
  try {
    return verify(null, Buffer.from(payload, 'utf8'), publicKeyObject(raw), sig)
  } catch {
    return false
  }
}

/** ASCII-only lower-casing keeps the payload identical across TS/Swift/Kotlin signers. */
export function normalizeDeviceMetadata (value: string | undefined): string {
  const trimmed = value?.trim() ?? ''
  return trimmed.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

export function buildDeviceAuthPayloadV2 (p: DeviceAuthPayloadInput): string {
  return ['v2', p.deviceId, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAtMs), p.token ?? '', p.nonce].join('|')
}

export function buildDeviceAuthPayloadV3 (p: DeviceAuthPayloadInput): string {
  return [
    'v3', p.deviceId, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAtMs), p.token ?? '', p.nonce,
    normalizeDeviceMetadata(p.platform), normalizeDeviceMetadata(p.deviceFamily)
  ].join('|')
}

/** Which payload version the signature verifies against (v3 preferred), or undefined. */
export function verifyDeviceAuth (raw: Buffer, input: DeviceAuthPayloadInput, signature: string): 'v3' | 'v2' | undefined {
  if (verifySignature(raw, buildDeviceAuthPayloadV3(input), signature)) return 'v3'
  if (verifySignature(raw, buildDeviceAuthPayloadV2(input), signature)) return 'v2'
  return undefined
}
