// plugins/auth.ts in-process: the bearer verifier behind a tiny route, the
// OpenAI-style 401/429 bodies, the failed-auth budget per client address.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { GatewayApp } from '../src/app.js'
import { buildWithProtectedRoute } from './support/protected-route.js'

const TOKEN = 'test-token-0123456789abcdef'
const PASSWORD = 'correct horse battery staple'
const REMOTE = '10.1.2.3'

async function build (t: TestContext, config: Record<string, unknown>): Promise<GatewayApp> {
  return await buildWithProtectedRoute(t, { config })
}

const tokenConfig = { gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } } }
const get = (app: GatewayApp, opts: { bearer?: string, authorization?: string, ip?: string } = {}) => app.inject({
  method: 'GET',
  url: '/x',
  remoteAddress: opts.ip ?? '127.0.0.1',
  headers: opts.authorization !== undefined ? { authorization: opts.authorization } : opts.bearer !== undefined ? { authorization: `Bearer ${opts.bearer}` } : {}
})

const UNAUTHORIZED = { error: { message: 'Unauthorized', type: 'unauthorized', param: null, code: 'unauthorized' } }
const RATE_LIMITED = { error: { message: 'Too many failed authentication attempts. Please try again later.', type: 'rate_limited', param: null, code: 'auth_rate_limited' } }

test('token mode: the right bearer passes; missing, wrong, or non-Bearer is 401 in the OpenAI envelope', async (t) => {
  const app = await build(t, tokenConfig)
  const ok = await get(app, { bearer: TOKEN, ip: REMOTE })
  assert.equal(ok.statusCode, 200)
  assert.deepEqual(ok.json(), { ok: true })

  for (const opts of [{}, { bearer: 'wrong' }, { bearer: `${TOKEN}x` }, { bearer: TOKEN.slice(0, -1) }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { bearer: '' }]) {
    const res = await get(app, opts)
    assert.equal(res.statusCode, 401, JSON.stringify(opts))
    assert.deepEqual(res.json(), UNAUTHORIZED)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
  }
})

test('password mode: the password is the bearer; the token field alone is not enough', async (t) => {
  const app = await build(t, { gateway: { mode: 'local', auth: { mode: 'password', password: PASSWORD, token: TOKEN } } })
  assert.equal((await get(app, { bearer: PASSWORD })).statusCode, 200)
  assert.equal((await get(app, { bearer: TOKEN })).statusCode, 401)
  assert.equal((await get(app)).statusCode, 401)
  assert.deepEqual(app.gatewayAuth.checkSecret({}), { ok: false, reason: 'password_missing' })
  assert.deepEqual(app.gatewayAuth.checkSecret({ password: 'nope' }), { ok: false, reason: 'password_mismatch' })
  assert.deepEqual(app.gatewayAuth.checkSecret({ password: PASSWORD }), { ok: true })
})

test('mode none: no header needed', async (t) => {
  const app = await build(t, { gateway: { mode: 'local', auth: { mode: 'none' } } })
  assert.equal((await get(app, { ip: REMOTE })).statusCode, 200)
  assert.equal(app.gatewayAuth.mode, 'none')
})

test('checkSecret reasons in token mode', async (t) => {
  const app = await build(t, tokenConfig)
  assert.deepEqual(app.gatewayAuth.checkSecret({}), { ok: false, reason: 'token_missing' })
  assert.deepEqual(app.gatewayAuth.checkSecret({ token: '' }), { ok: false, reason: 'token_missing' })
  assert.deepEqual(app.gatewayAuth.checkSecret({ token: 'x' }), { ok: false, reason: 'token_mismatch' })
  assert.deepEqual(app.gatewayAuth.checkSecret({ token: TOKEN }), { ok: true })
})

test('10 failures from a remote address are 401; the 11th attempt is 429 with Retry-After, even with the right token', async (t) => {
  const app = await build(t, tokenConfig)
  for (let i = 1; i <= 10; i++) {
    const res = await get(app, { bearer: `wrong-${i}`, ip: REMOTE })
    assert.equal(res.statusCode, 401, `attempt ${i}`)
  }
  const locked = await get(app, { bearer: 'wrong-11', ip: REMOTE })
  assert.equal(locked.statusCode, 429)
  assert.equal(locked.headers['retry-after'], '300')
  assert.deepEqual(locked.json(), RATE_LIMITED)
  assert.equal(locked.headers['x-content-type-options'], 'nosniff')

  const stillLocked = await get(app, { bearer: TOKEN, ip: REMOTE })
  assert.equal(stillLocked.statusCode, 429)
  assert.ok(Number(stillLocked.headers['retry-after']) >= 299)

  // The budget is per client address.
  assert.equal((await get(app, { bearer: TOKEN, ip: '10.9.9.9' })).statusCode, 200)
})

test('loopback is exempt from the limiter by default', async (t) => {
  const app = await build(t, tokenConfig)
  for (let i = 0; i < 25; i++) assert.equal((await get(app, { bearer: 'wrong' })).statusCode, 401)
  assert.equal((await get(app, { bearer: TOKEN })).statusCode, 200)
  assert.equal(app.gatewayAuth.limiter.size, 0)
})

test('rateLimit settings apply: exemptLoopback false, maxAttempts 3', async (t) => {
  const app = await build(t, { gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN, rateLimit: { maxAttempts: 3, lockoutMs: 60_000, exemptLoopback: false } } } })
  for (let i = 0; i < 3; i++) assert.equal((await get(app, { bearer: 'wrong' })).statusCode, 401)
  const res = await get(app, { bearer: TOKEN })
  assert.equal(res.statusCode, 429)
  assert.equal(res.headers['retry-after'], '60')
})

test('a success clears the failure count', async (t) => {
  const app = await build(t, tokenConfig)
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 9; i++) assert.equal((await get(app, { bearer: 'wrong', ip: REMOTE })).statusCode, 401)
    assert.equal((await get(app, { bearer: TOKEN, ip: REMOTE })).statusCode, 200)
  }
})

test('auth is opt-in per route: other routes (probes, 404) do not ask for it', async (t) => {
  const app = await build(t, tokenConfig)
  assert.equal((await app.inject({ url: '/healthz', remoteAddress: REMOTE })).statusCode, 200)
  assert.equal((await app.inject({ url: '/nope', remoteAddress: REMOTE })).statusCode, 404)
})
