// Gateway auth shared by every surface: the secret check (token or password,
// constant time), the failed-auth rate limiter, and the HTTP bearer verifier
// that routes compose with @fastify/auth.
import fp from 'fastify-plugin'
import fastifyAuth from '@fastify/auth'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { httpGrant, type HttpGrant } from '../src/auth/http-scopes.js'
import { AuthRateLimiter } from '../src/auth/rate-limiter.js'
import { safeEqualSecret } from '../src/auth/secret-equal.js'
import type { AuthMode } from '../src/config/settings.js'
import { ERR_AUTH_RATE_LIMITED, ERR_MISSING_SCOPE, ERR_UNAUTHORIZED } from '../src/errors/index.js'
import { isLoopbackAddress } from '../src/net.js'
import { scopeSatisfied } from '../src/rpc/scopes.js'

type AuthStrategy = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void

export type SecretCheck =
  | { ok: true }
  | { ok: false, reason: 'token_missing' | 'token_mismatch' | 'password_missing' | 'password_mismatch' }

export interface GatewayAuth {
  readonly mode: AuthMode
  /** Compares the presented shared secret with the configured one. */
  checkSecret: (presented: { token?: string | undefined, password?: string | undefined }) => SecretCheck
  readonly limiter: AuthRateLimiter
  /** Rate-limit key for a peer: loopback peers may be exempt. */
  limitKey: (ip: string, scope: string) => string | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    gatewayAuth: GatewayAuth
    /** The operator scopes of an HTTP caller (see src/auth/http-scopes.ts). */
    httpGrant: (request: FastifyRequest) => HttpGrant
    /** The onRequest hook of an authenticated HTTP route: the bearer check, and the route's scope (403 without it). */
    httpAuth: (scope: string) => onRequestHookHandler
  }
}

export default fp(async function authPlugin (app: FastifyInstance) {
  const store = app.configStore
  const limiter = new AuthRateLimiter(store.current.auth.rateLimit)
  store.on('change', ({ next }) => { limiter.update(next.auth.rateLimit) })

  const gatewayAuth: GatewayAuth = {
    get mode () { return store.current.auth.mode },
    checkSecret (presented) {
      const auth = store.current.auth
      if (auth.mode === 'none') return { ok: true }
      // The shared secret may arrive in either field; the mode picks which configured secret it must equal.
      const value = presented.token ?? presented.password
      if (auth.mode === 'token') {
        if (value === undefined || value === '') return { ok: false, reason: 'token_missing' }
        return safeEqualSecret(value, auth.token) ? { ok: true } : { ok: false, reason: 'token_mismatch' }
      }
      const pw = presented.password ?? presented.token
      if (pw === undefined || pw === '') return { ok: false, reason: 'password_missing' }
      return safeEqualSecret(pw, auth.password) ? { ok: true } : { ok: false, reason: 'password_mismatch' }
    },
    limiter,
    limitKey (ip, scope) {
      return limiter.isExempt(isLoopbackAddress(ip)) ? undefined : `${scope}:${ip}`
    }
  }
  app.decorate('gatewayAuth', gatewayAuth)

  const grantOf = (request: FastifyRequest): HttpGrant => httpGrant(gatewayAuth.mode, request.headers['x-openclaw-scopes'])
  app.decorate('httpGrant', grantOf)

  /**
   * The bearer check, and for an identity-bearing caller (mode none) the
   * route's scope: one strategy, so a route pays for one @fastify/auth step.
   * A bearer holder is the owner and holds every scope.
   * Callback style: the check is synchronous, so no promise per request.
   */
  const bearerFor = (scope: string): AuthStrategy => function verifyGatewayBearer (request, reply, done) {
    if (gatewayAuth.mode === 'none') {
      const grant = grantOf(request)
      return done(grant.owner || scopeSatisfied(scope, grant.scopes) ? undefined : new ERR_MISSING_SCOPE(scope))
    }
    const key = gatewayAuth.limitKey(request.ip, 'shared')
    if (key !== undefined) {
      const state = limiter.check(key)
      if (state.limited) return done(rateLimited(reply, state.retryAfterMs))
    }
    const header = request.headers.authorization
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    if (gatewayAuth.checkSecret({ token }).ok) {
      if (key !== undefined) limiter.succeed(key)
      return done()
    }
    request.log.debug({ ip: request.ip, url: request.url }, 'unauthorized http request')
    // The failing attempt itself is answered 401; a spent budget locks out the next one (as OpenClaw does).
    if (key !== undefined) limiter.fail(key)
    done(new ERR_UNAUTHORIZED())
  }

  await app.register(fastifyAuth)
  app.decorate('httpAuth', (scope: string) => app.auth([bearerFor(scope)]))

  const sweeper = setInterval(() => { limiter.sweep() }, 60_000)
  sweeper.unref()
  app.addHook('onClose', async () => { clearInterval(sweeper) })
}, { name: 'auth', fastify: '5.x', dependencies: ['config'] })

function rateLimited (reply: FastifyReply, retryAfterMs: number): Error {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))))
  return new ERR_AUTH_RATE_LIMITED()
}
