// Request paths that clients get slightly wrong, mapped to the route they
// mean before routing (clients.md 1.1 and its table, row 6): a base URL typed
// without `/v1` (`/models`, `/chat/completions`, …), a doubled `/v1/v1/`, and
// doubled slashes. The query string is kept as is.
const UNPREFIXED = ['/models', '/chat/completions', '/responses', '/embeddings']

export function canonicalUrl (url: string): string {
  // Absolute-form targets (`http://…`) and `*` are left to the router.
  if (url.charCodeAt(0) !== 47 /* / */) return url
  const q = url.indexOf('?')
  const raw = q === -1 ? url : url.slice(0, q)
  let path = raw.includes('//') ? raw.replace(/\/{2,}/g, '/') : raw
  if (path === '/v1/v1' || path.startsWith('/v1/v1/')) path = path.slice(3)
  else if (!path.startsWith('/v1/') && UNPREFIXED.some((p) => path === p || path.startsWith(`${p}/`))) path = `/v1${path}`
  if (path === raw) return url
  return q === -1 ? path : path + url.slice(q)
}
