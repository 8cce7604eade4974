// The pure parts of serving the Control UI (contract 5): its response headers
// and CSP, the base path, index.html rewritten for it, and what counts as an
// HTML navigation for the SPA fallback.

/**
 * Contract 5's CSP, narrowed to what our UI uses: no inline scripts, no third-party
 * fonts or APIs; WebSocket to any host, since a UI may talk to a gateway behind a proxy.
 */
export const CONTROL_UI_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "worker-src 'self'",
  "connect-src 'self' ws: wss:"
].join('; ')

/** Added to the common security headers (http-common) on every Control UI response. */
export const CONTROL_UI_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTROL_UI_CSP,
  'x-frame-options': 'DENY'
})

/** `/openclaw/` → `/openclaw`; unset or `/` → '' (served at the root). */
export function normalizeBasePath (basePath: string | undefined): string {
  if (basePath === undefined) return ''
  const trimmed = basePath.replace(/\/+$/, '')
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** Relative asset URLs become absolute under the base path (deep links resolve them from any depth). */
export function rewriteIndex (html: string, base: string): string {
  const attr = base.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
  return html
    .replace(/(src|href)="\.\//g, `$1="${base}/`)
    .replace(/<html\b/, `<html data-openclaw-control-ui-base-path="${attr}"`)
}

/** A browser navigation names text/html in Accept; fetch(), curl and API clients do not. */
export function isHtmlNavigation (accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : accept
  return value !== undefined && value.includes('text/html')
}
