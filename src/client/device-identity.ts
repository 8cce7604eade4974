// The CLI's device identity, like OpenClaw's: an Ed25519 key pair kept in
// <stateDir>/identity/device.json (mode 0600), created on first use, used to
// sign the connect challenge so the gateway can pair and remember this device.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createDeviceIdentity, signDeviceConnect, type DeviceIdentity } from '../devices/client.js'
import { deviceIdOf, rawPublicKey } from '../devices/identity.js'
import type { ConnectChallenge, ConnectParams, DeviceProof } from './frames.js'

interface StoredIdentity {
  version: 1
  deviceId: string
  publicKeyPem: string
  privateKeyPem: string
  createdAtMs: number
}

export function identityFile (stateDir: string): string {
  return path.join(stateDir, 'identity', 'device.json')
}

/** Reads the identity, creating it (0700 dir, 0600 file) when there is none yet. */
export async function loadOrCreateIdentity (stateDir: string, now: () => number = Date.now): Promise<DeviceIdentity> {
  const file = identityFile(stateDir)
  const existing = await readIdentity(file)
  if (existing !== undefined) return existing
  const identity = createDeviceIdentity()
  const stored: StoredIdentity = { version: 1, deviceId: identity.deviceId, publicKeyPem: identity.publicKeyPem, privateKeyPem: identity.privateKeyPem, createdAtMs: now() }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  try {
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    return identity
  } catch (e) {
    // Another CLI process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return (await readIdentity(file)) ?? identity
    throw e
  }
}

async function readIdentity (file: string): Promise<DeviceIdentity | undefined> {
  let parsed: Partial<StoredIdentity>
  try { parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StoredIdentity> } catch { return undefined }
  if (typeof parsed.publicKeyPem !== 'string' || typeof parsed.privateKeyPem !== 'string') return undefined
  const raw = rawPublicKey(parsed.publicKeyPem)
  if (raw === undefined) return undefined
  // The id is derived from the key; a hand-edited id is not trusted.
  return { deviceId: deviceIdOf(raw), publicKey: raw.toString('base64url'), publicKeyPem: parsed.publicKeyPem, privateKeyPem: parsed.privateKeyPem }
}

/** The `device` hook for GatewayClient: signs (v3) over exactly the params being sent. */
export function deviceSigner (stateDir: string): (challenge: ConnectChallenge, params: ConnectParams) => Promise<DeviceProof | undefined> {
  return async (challenge, params) => {
    if (typeof challenge?.nonce !== 'string') return undefined
    const identity = await loadOrCreateIdentity(stateDir)
    return signDeviceConnect({
      identity,
      nonce: challenge.nonce,
      signedAtMs: typeof challenge.ts === 'number' ? challenge.ts : Date.now(),
      clientId: params.client.id,
      clientMode: params.client.mode,
      role: params.role,
      scopes: params.scopes,
      token: params.auth?.token ?? params.auth?.deviceToken,
      platform: params.client.platform
    })
  }
}
