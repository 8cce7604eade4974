// plugins/probes.ts and plugins/http-common.ts in-process: probe shapes,
// GET/HEAD only, no auth, and the security headers on every response.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { GatewayApp } from '../src/app.js'
import { buildWithProtectedRoute } from './support/protected-route.js'

const TOKEN = 'probe-token-0123456789'
const REMOTE = '10.1.2.3'

/** The version build(t) gives the gateway. */
const VERSION = '0.0.0-test'

async function build (t: TestContext, gateway: Record<string, unknown> = {}): Promise<GatewayApp> {
  return await buildWithProtectedRoute(t, { token: TOKEN, config: { gateway } })
}

function assertSecurityHeaders (headers: Record<string, unknown>, what: string): void {
  assert.equal(headers['x-content-type-options'], 'nosniff', what)
  assert.equal(headers['referrer-policy'], 'no-referrer', what)
  assert.equal(headers['permissions-policy'], 'camera=(), microphone=(self), geolocation=()', what)
}

const PROBES = ['/health', '/healthz', '/ready', '/readyz', '/startup', '/startupz']

test('probes answer 200 JSON with no-store, and need no auth even with token auth on', async (t) => {
  const app = await build(t)
  for (const url of PROBES) {
    const res = await app.inject({ url, remoteAddress: REMOTE })
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', url)
    assert.equal(res.headers['cache-control'], 'no-store', url)
    assertSecurityHeaders(res.headers, url)
  }
})

test('probe bodies: minimal for remote callers', async (t) => {
  const app = await build(t)
  const body = async (url: string) => (await app.inject({ url, remoteAddress: REMOTE })).json()
  assert.deepEqual(await body('/health'), { ok: true, status: 'live' })
  assert.deepEqual(await body('/healthz'), { ok: true, status: 'live' })
  assert.deepEqual(await body('/ready'), { ready: true })
  assert.deepEqual(await body('/readyz'), { ready: true })
  assert.deepEqual(await body('/startup'), { ok: true, status: 'started' })
  assert.deepEqual(await body('/startupz'), { ok: true, status: 'started' })
})

test('probe details for local-direct or authenticated callers only', async (t) => {
  const app = await build(t)
  const local = (await app.inject({ url: '/readyz', remoteAddress: '127.0.0.1' })).json()
  assert.equal(local.ready, true)
  assert.deepEqual(local.failing, [])
  assert.equal(typeof local.uptimeMs, 'number')

  const startup = (await app.inject({ url: '/startupz', remoteAddress: '::1' })).json()
  assert.equal(startup.version, VERSION)
  assert.equal(typeof startup.uptimeMs, 'number')

  const bearer = (await app.inject({ url: '/startupz', remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}` } })).json()
  assert.equal(bearer.version, VERSION)
  const wrong = (await app.inject({ url: '/startupz', remoteAddress: REMOTE, headers: { authorization: 'Bearer nope' } })).json()
  assert.deepEqual(wrong, { ok: true, status: 'started' })
  // A loopback peer relaying for someone else (proxy header) is not local-direct.
  const proxied = (await app.inject({ url: '/readyz', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } })).json()
  assert.deepEqual(proxied, { ready: true })
})

test('HEAD is allowed and has no body', async (t) => {
  const app = await build(t)
  for (const url of PROBES) {
    const res = await app.inject({ method: 'HEAD', url })
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.body, '', url)
    assertSecurityHeaders(res.headers, `HEAD ${url}`)
  }
})

test('other methods: 405 text/plain with Allow: GET, HEAD', async (t) => {
  const app = await build(t)
  for (const url of PROBES) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const res = await app.inject({ method, url, remoteAddress: REMOTE })
      assert.equal(res.statusCode, 405, `${method} ${url}`)
      assert.equal(res.headers.allow, 'GET, HEAD')
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
      assert.equal(res.body, 'Method Not Allowed')
      assertSecurityHeaders(res.headers, `${method} ${url}`)
    }
  }
})

test('security headers on 404 (text/plain "Not Found") and on auth failures', async (t) => {
  const app = await build(t)
  const notFound = await app.inject({ url: '/no/such/route', remoteAddress: REMOTE })
  assert.equal(notFound.statusCode, 404)
  assert.equal(notFound.headers['content-type'], 'text/plain; charset=utf-8')
  assert.equal(notFound.body, 'Not Found')
  assertSecurityHeaders(notFound.headers, '404')
  assertSecurityHeaders((await app.inject({ method: 'POST', url: '/no/such/route' })).headers, 'POST 404')
  assertSecurityHeaders((await app.inject({ url: '/x', remoteAddress: REMOTE })).headers, '401')
  assert.equal((await app.inject({ url: '/healthz' })).headers['strict-transport-security'], undefined, 'no HSTS unless configured')
})

test('Strict-Transport-Security comes from gateway.http.securityHeaders', async (t) => {
  const app = await build(t, { http: { securityHeaders: { strictTransportSecurity: 'max-age=63072000; includeSubDomains' } } })
  for (const url of ['/healthz', '/nope']) {
    assert.equal((await app.inject({ url })).headers['strict-transport-security'], 'max-age=63072000; includeSubDomains', url)
  }
})
