// The gateway token: handed over once in the URL fragment (`#token=…`, never
// a query string, so it stays out of server logs and Referer headers), then
// kept in sessionStorage for this tab only.
const KEY = 'openclaw.token'

/** Moves a `#token=` fragment into sessionStorage and removes it from the address bar. */
export function adoptFragmentToken (): void {
  const hash = location.hash.replace(/^#/, '')
  const params = new URLSearchParams(hash.startsWith('/') ? '' : hash)
  const token = params.get('token')
  if (token === null) return
  if (token !== '') saveToken(token)
  history.replaceState(history.state, '', location.pathname + location.search)
}

export function readToken (): string | undefined {
  try { return sessionStorage.getItem(KEY) ?? undefined } catch { return undefined }
}

export function saveToken (token: string): void {
  try { sessionStorage.setItem(KEY, token) } catch { /* blocked storage: kept for this page only */ }
  memory = token
}

export function clearToken (): void {
  try { sessionStorage.removeItem(KEY) } catch { /* nothing stored */ }
  memory = undefined
  password = undefined
}

let memory: string | undefined
// A gateway password is kept in this page's memory only, never in storage (contract 5).
let password: string | undefined

export function savePassword (value: string): void {
  password = value
}

export function currentPassword (): string | undefined {
  return password
}

export function currentToken (): string | undefined {
  return readToken() ?? memory
}
