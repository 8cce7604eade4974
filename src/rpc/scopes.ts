// Operator scopes and their hierarchy (contract 2.1): admin satisfies
// everything; write implies read, talk and the session scopes; read implies
// sessions.read.
export const SCOPE_ADMIN = 'operator.admin'
export const SCOPE_READ = 'operator.read'
export const SCOPE_WRITE = 'operator.write'
export const SCOPE_APPROVALS = 'operator.approvals'
export const SCOPE_PAIRING = 'operator.pairing'
export const SCOPE_TALK = 'operator.talk'
export const SCOPE_QUESTIONS = 'operator.questions'
export const SCOPE_SESSIONS_READ = 'operator.sessions.read'
export const SCOPE_SESSIONS_WRITE = 'operator.sessions.write'

/** What a trusted local operator gets when it asks for nothing in particular. */
export const DEFAULT_OPERATOR_SCOPES: readonly string[] = Object.freeze([
  SCOPE_ADMIN, SCOPE_READ, SCOPE_WRITE, SCOPE_APPROVALS, SCOPE_PAIRING
])

const IMPLIED_BY_WRITE = new Set([SCOPE_READ, SCOPE_TALK, SCOPE_SESSIONS_READ, SCOPE_SESSIONS_WRITE])

export function scopeSatisfied (required: string, granted: ReadonlySet<string>): boolean {
  if (granted.has(required) || granted.has(SCOPE_ADMIN)) return true
  if (IMPLIED_BY_WRITE.has(required) && granted.has(SCOPE_WRITE)) return true
  return required === SCOPE_SESSIONS_READ && granted.has(SCOPE_READ)
}

/** Every requested scope is covered by the granted set (used for pairing upgrades and header caps). */
export function scopesCovered (requested: readonly string[], granted: ReadonlySet<string>): boolean {
  for (const s of requested) if (!scopeSatisfied(s, granted)) return false
  return true
}

/** The scopes an `x-openclaw-scopes: a,b` header lists (HTTP and WS upgrades); undefined without the header. */
export function scopesFromHeader (value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined
  return normalizeScopes((Array.isArray(value) ? value.join(',') : value).split(','))
}

/** Trims, drops empties and duplicates, keeps order. */
export function normalizeScopes (scopes: readonly string[] | undefined): string[] {
  if (scopes === undefined) return []
  const out: string[] = []
  for (const raw of scopes) {
    const s = raw.trim()
    if (s !== '' && !out.includes(s)) out.push(s)
  }
  return out
}
