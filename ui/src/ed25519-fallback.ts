// Pure-JS Ed25519 and SHA-2 for browsers whose WebCrypto lacks Ed25519 or is
// missing altogether (pages served over plain HTTP to another machine).
// Its own chunk: loaded only when device.ts needs it.
import * as ed from '@noble/ed25519'
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js'

ed.hashes.sha512 = sha512

export function generate (): { publicKey: Uint8Array, privateKey: Uint8Array } {
  const { secretKey, publicKey } = ed.keygen()
  return { publicKey, privateKey: secretKey }
}

export function sign (message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return ed.sign(message, privateKey)
}

export function sha256 (bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes)
}
