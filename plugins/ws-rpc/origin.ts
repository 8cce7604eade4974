// Browser Origin policy for WS connects (contract 8): allow-listed origins
// (or "*"), the Host-header fallback when explicitly enabled, same-host
// private addresses, and loopback pages for local clients.
import { isLoopbackAddress, isPrivateHostname } from '../../src/net.js'

export interface OriginPolicy {
  allowedOrigins: readonly string[]
  allowHostHeaderFallback: boolean
}

export type OriginDecision = { ok: true } | { ok: false, reason: string }

export const ORIGIN_NOT_ALLOWED = 'origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)'

export function checkBrowserOrigin (origin: string, host: string | undefined, isLocalClient: boolean, policy: OriginPolicy): OriginDecision {
  let url: URL
  try {
    if (origin.trim() === '' || origin === 'null') return { ok: false, reason: 'origin missing or invalid' }
    url = new URL(origin.trim())
  } catch {
    return { ok: false, reason: 'origin missing or invalid' }
  }
  const normalized = url.origin.toLowerCase()
  for (const allowed of policy.allowedOrigins) {
    const a = allowed.trim().toLowerCase()
    if (a === '*' || a === normalized || stripDefaultPort(a) === stripDefaultPort(normalized)) return { ok: true }
  }
  const originHost = url.host.toLowerCase()
  const requestHost = host?.trim().toLowerCase()
  const sameHost = requestHost !== undefined && stripDefaultPort(`${url.protocol}//${requestHost}`) === stripDefaultPort(`${url.protocol}//${originHost}`)
  if (sameHost && policy.allowHostHeaderFallback) return { ok: true }
  if (sameHost && isPrivateHostname(url.hostname)) return { ok: true }
  if (isLocalClient && isLoopbackHostname(url.hostname)) return { ok: true }
  return { ok: false, reason: 'origin not allowed' }
}

function isLoopbackHostname (hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h)
}

function stripDefaultPort (origin: string): string {
  return origin.replace(/^(https:\/\/[^/]+):443$/, '$1').replace(/^(http:\/\/[^/]+):80$/, '$1')
}
