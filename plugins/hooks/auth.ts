// The onRequest gate of every hooks route, in contract 4's order: hooks off
// ⇒ not found; `?token=` ⇒ 400; not POST ⇒ 405; then the hooks token (its own
// failed-auth budget: 20 failures a minute per client, loopback included).
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { GatewayConfig } from '../../schemas/config.js'
import { AuthRateLimiter } from '../../src/auth/rate-limiter.js'
import { safeEqualSecret } from '../../src/auth/secret-equal.js'
import { ERR_AUTH_RATE_LIMITED, ERR_INVALID_REQUEST, ERR_METHOD_NOT_ALLOWED, ERR_UNAUTHORIZED } from '../../src/errors/index.js'
import { activeHooks } from '../../src/hooks/policy.js'

export const HOOKS_RATE_LIMIT = { maxAttempts: 20, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false }

export interface HooksGate {
  onRequest: onRequestHookHandler
  limiter: AuthRateLimiter
  /** Requests that passed the token check (the status counters count only these). */
  authed: WeakSet<FastifyRequest>
}

export function hooksGate (getConfig: () => Readonly<GatewayConfig>, now: () => number, onAuthFailure: () => void): HooksGate {
  const limiter = new AuthRateLimiter(HOOKS_RATE_LIMIT, now)
  const authed = new WeakSet<FastifyRequest>()
  // Callback style: every check is synchronous.
  const onRequest = function hooksOnRequest (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const hooks = activeHooks(getConfig())
    if (hooks === undefined) {
      reply.callNotFound()
      return
    }
    if (hasQueryToken(request.url)) return done(new ERR_INVALID_REQUEST('Hook token must be sent in Authorization: Bearer or X-OpenClaw-Token, not in the query string'))
    if (request.method !== 'POST') {
      reply.header('allow', 'POST')
      return done(new ERR_METHOD_NOT_ALLOWED())
    }
    const key = `hooks:${request.ip}`
    const state = limiter.check(key)
    if (state.limited) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(state.retryAfterMs / 1000))))
      return done(new ERR_AUTH_RATE_LIMITED())
    }
    if (!safeEqualSecret(presentedToken(request), hooks.token)) {
      onAuthFailure()
      // This attempt is answered 401; a spent budget locks out the next one (as the gateway's own auth).
      limiter.fail(key)
      return done(new ERR_UNAUTHORIZED())
    }
    limiter.succeed(key)
    authed.add(request)
    done()
  }
  return { onRequest, limiter, authed }
}

/** A non-empty Bearer wins over `x-openclaw-token` (contract 4). */
function presentedToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  const bearer = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : ''
  if (bearer !== '') return bearer
  const alt = request.headers['x-openclaw-token']
  return typeof alt === 'string' && alt !== '' ? alt : undefined
}

function hasQueryToken (url: string): boolean {
  const q = url.indexOf('?')
  return q !== -1 && new URLSearchParams(url.slice(q + 1)).has('token')
}
