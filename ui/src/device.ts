// The browser's device identity (contract 1.3.6): an Ed25519 key pair kept in
// localStorage. WebCrypto signs where it supports Ed25519 (secure contexts in
// current browsers); elsewhere (plain-HTTP LAN pages) a pure-JS fallback,
// loaded only then, does the same job.

const STORAGE_KEY = 'openclaw.device.v1'

export interface DeviceIdentity {
  deviceId: string
  /** Raw 32-byte public key, base64url. */
  publicKey: string
  /** 32-byte private seed, base64url (the JWK `d`). */
  privateKey: string
}

export function b64url (bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function fromB64url (text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

function subtle (): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle
}

async function fallback () {
  return await import('./ed25519-fallback.js')
}

async function sha256Hex (bytes: Uint8Array): Promise<string> {
  const s = subtle()
  if (s !== undefined) return hex(new Uint8Array(await s.digest('SHA-256', bytes as BufferSource)))
  return hex((await fallback()).sha256(bytes))
}

async function generate (): Promise<{ publicKey: Uint8Array, privateKey: Uint8Array }> {
  const s = subtle()
  if (s !== undefined) {
    try {
      const pair = await s.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
      const jwk = await s.exportKey('jwk', pair.privateKey)
      return { publicKey: fromB64url(jwk.x!), privateKey: fromB64url(jwk.d!) }
    } catch {
      // No Ed25519 in this browser's WebCrypto: fall through.
    }
  }
  return (await fallback()).generate()
}

function readStored (): DeviceIdentity | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as DeviceIdentity | null
    if (value !== null && typeof value.deviceId === 'string' && typeof value.publicKey === 'string' && typeof value.privateKey === 'string') return value
  } catch {
    // Corrupt entry: a new identity replaces it.
  }
  return undefined
}

let loading: Promise<DeviceIdentity> | undefined

/** The stored identity, or a new one (stored). */
export function deviceIdentity (): Promise<DeviceIdentity> {
  loading ??= (async () => {
    const stored = readStored()
    if (stored !== undefined) return stored
    const pair = await generate()
    const identity = { deviceId: await sha256Hex(pair.publicKey), publicKey: b64url(pair.publicKey), privateKey: b64url(pair.privateKey) }
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify(identity)) } catch { /* private mode: per-tab identity */ }
    return identity
  })()
  return loading
}

/** Forget the identity (after the gateway rejected it); the next call makes a new one. */
export function resetDeviceIdentity (): void {
  loading = undefined
  try { localStorage.removeItem(STORAGE_KEY) } catch { /* nothing stored */ }
}

export async function signText (identity: DeviceIdentity, text: string): Promise<string> {
  const message = new TextEncoder().encode(text)
  const s = subtle()
  if (s !== undefined) {
    try {
      const key = await s.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', d: identity.privateKey, x: identity.publicKey }, { name: 'Ed25519' }, false, ['sign'])
      return b64url(new Uint8Array(await s.sign({ name: 'Ed25519' }, key, message)))
    } catch {
      // Fall back below.
    }
  }
  return b64url((await fallback()).sign(message, fromB64url(identity.privateKey)))
}

/** ASCII-only lower-casing, as the gateway normalizes platform/deviceFamily. */
const norm = (v: string | undefined) => (v ?? '').trim().replace(/[A-Z]/g, (c) => c.toLowerCase())

export interface ProofInput {
  clientId: string
  clientMode: string
  role: string
  scopes: string[]
  token: string | undefined
  nonce: string
  signedAt: number
  platform: string
  deviceFamily: string | undefined
}

/** The `device` block of connect params, signed over the v3 payload. */
export async function deviceProof (identity: DeviceIdentity, p: ProofInput) {
  const payload = ['v3', identity.deviceId, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAt), p.token ?? '', p.nonce, norm(p.platform), norm(p.deviceFamily)].join('|')
  return { id: identity.deviceId, publicKey: identity.publicKey, signature: await signText(identity, payload), signedAt: p.signedAt, nonce: p.nonce }
}
