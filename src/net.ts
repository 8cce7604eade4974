// Small address helpers shared by auth, origin checks and probes.
import net from 'node:net'

export function isLoopbackAddress (addr: string | undefined): boolean {
  if (addr === undefined) return false
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr
  return a === '::1' || (net.isIPv4(a) && a.startsWith('127.'))
}

export function isPrivateHostname (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h.endsWith('.local') || h.endsWith('.ts.net')) return true
  if (isLoopbackAddress(h)) return true
  if (net.isIPv4(h)) {
    const [a, b] = h.split('.').map(Number) as [number, number]
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
  }
  if (net.isIPv6(h)) return h.startsWith('fe80:') || h.startsWith('fc') || h.startsWith('fd')
  return false
}
