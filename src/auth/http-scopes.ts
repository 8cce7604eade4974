// Operator scopes of an HTTP caller (contract 3.1). A caller that presented
// the shared secret is the owner: every operator scope, and `x-openclaw-scopes`
// is ignored. A caller the gateway cannot tell apart by a secret (auth mode
// `none`) is identity-bearing: the header, when present, is what it holds;
// without it, the same defaults as the owner.
import type { AuthMode } from '../config/settings.js'
import { DEFAULT_OPERATOR_SCOPES, SCOPE_ADMIN, scopeSatisfied, scopesFromHeader } from '../rpc/scopes.js'

export interface HttpGrant {
  /** Presented the shared secret (or the gateway has none and the caller sent no scope header). */
  readonly owner: boolean
  readonly scopes: ReadonlySet<string>
}

const OWNER: HttpGrant = Object.freeze({ owner: true, scopes: new Set(DEFAULT_OPERATOR_SCOPES) })

export function httpGrant (mode: AuthMode, scopesHeader: string | string[] | undefined): HttpGrant {
  const listed = mode === 'none' ? scopesFromHeader(scopesHeader) : undefined
  return listed === undefined ? OWNER : { owner: false, scopes: new Set(listed) }
}

/** Admin's calls over HTTP (choosing the backend model, lifting the tools deny list): the owner, or operator.admin. */
export function grantsAdmin (grant: HttpGrant): boolean {
  return grant.owner || scopeSatisfied(SCOPE_ADMIN, grant.scopes)
}
