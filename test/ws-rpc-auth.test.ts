// ws-rpc connect auth: shared token/password, the exact unauthorized
// messages and details, the shared failed-auth limiter, browser origins,
// and which scopes device-less connections end up with.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyRequest } from 'fastify'
import { build } from './support/gateway.js'
import { connect, connectOk } from './support/ws-client.js'

/** Requests carrying x-test-remote: 1 count as remote; everything else as loopback. */
const remoteByHeader = { isLocalClient: (r: FastifyRequest) => r.headers['x-test-remote'] !== '1' }
const REMOTE = { headers: { 'x-test-remote': '1' } }

test('the right token gets hello-ok with auth.method token', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  assert.equal(hello.auth.method, 'token')
})

test('a missing token: AUTH_TOKEN_MISSING, update_auth_configuration, close 1008 with the message', async (t) => {
  const gw = await build(t)
  const { client, res } = await connect(gw.url, {})
  const message = "unauthorized: gateway token missing (use this gateway's gateway.auth.token or pair the device)"
  assert.deepEqual(res.error, {
    code: 'INVALID_REQUEST',
    message,
    details: { code: 'AUTH_TOKEN_MISSING', authReason: 'token_missing', canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_configuration' }
  })
  assert.deepEqual(await client.closed, { code: 1008, reason: message })
})

test('hints depend on the client: remote CLI, Control UI, other', async (t) => {
  const gw = await build(t, { wsRpc: remoteByHeader })
  const remoteCli = await connect(gw.url, { token: 'nope' }, REMOTE)
  assert.equal(remoteCli.res.error.message, 'unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)')
  assert.equal(remoteCli.res.error.details.code, 'AUTH_TOKEN_MISMATCH')
  assert.equal(remoteCli.res.error.details.recommendedNextStep, 'update_auth_credentials')

  const ui = await connect(gw.url, { clientId: 'openclaw-control-ui', mode: 'webchat' })
  assert.equal(ui.res.error.message, 'unauthorized: gateway token missing (paste in Control UI settings or openclaw doctor --generate-gateway-token; restart)')
  const uiWrong = await connect(gw.url, { clientId: 'openclaw-control-ui', mode: 'webchat', token: 'nope' })
  assert.equal(uiWrong.res.error.message, 'unauthorized: gateway token mismatch (open the dashboard URL and paste the token in Control UI settings)')

  const other = await connect(gw.url, { clientId: 'gateway-client', mode: 'backend', token: 'nope' })
  assert.equal(other.res.error.message, 'unauthorized: gateway token mismatch (provide gateway auth token)')
  const closed = await other.client.closed
  assert.equal(closed.code, 1008)
})

test('password mode takes the secret in auth.password and reports AUTH_PASSWORD_*', async (t) => {
  const gw = await build(t, { token: null, config: { gateway: { auth: { mode: 'password', password: 'pw-0123456789' } } } })
  const ok = await connectOk(gw.url, { password: 'pw-0123456789' })
  t.after(() => { ok.client.close() })
  assert.equal(ok.hello.auth.method, 'password')
  assert.equal(ok.hello.snapshot.authMode, 'password')

  const wrong = await connect(gw.url, { clientId: 'gateway-client', mode: 'backend', password: 'nope' })
  assert.equal(wrong.res.error.message, 'unauthorized: gateway password mismatch (provide gateway auth password)')
  assert.equal(wrong.res.error.details.code, 'AUTH_PASSWORD_MISMATCH')
  const missing = await connect(gw.url, { clientId: 'gateway-client', mode: 'backend' })
  assert.equal(missing.res.error.details.code, 'AUTH_PASSWORD_MISSING')
})

test('auth mode none lets anyone in with auth.method none', async (t) => {
  const gw = await build(t, { token: null })
  const { client, hello } = await connectOk(gw.url, {})
  t.after(() => { client.close() })
  assert.equal(hello.auth.method, 'none')
  assert.equal(hello.snapshot.authMode, 'none')
})

test('failed attempts share the auth limiter: AUTH_RATE_LIMITED, retryable, retryAfterMs, even for the right token', async (t) => {
  const gw = await build(t, { config: { gateway: { auth: { token: 'tok-0123456789', rateLimit: { maxAttempts: 2, exemptLoopback: false } } } } })
  for (let i = 0; i < 2; i++) assert.equal((await connect(gw.url, { token: 'nope' })).res.error.details.code, 'AUTH_TOKEN_MISMATCH')
  const { client, res } = await connect(gw.url, { token: 'tok-0123456789' })
  assert.equal(res.error.code, 'INVALID_REQUEST')
  assert.equal(res.error.message, 'unauthorized: too many failed authentication attempts (retry later)')
  assert.equal(res.error.retryable, true)
  assert.ok(res.error.retryAfterMs > 0 && res.error.retryAfterMs <= 300_000)
  assert.deepEqual(res.error.details, { code: 'AUTH_RATE_LIMITED', authReason: 'rate_limited', canRetryWithDeviceToken: false, recommendedNextStep: 'wait_then_retry' })
  assert.equal((await client.closed).code, 1008)
})

test('loopback is exempt from the limiter by default, but browser-origin attempts never are', async (t) => {
  const gw = await build(t, { config: { gateway: { auth: { token: 'tok-0123456789', rateLimit: { maxAttempts: 2 } } } } })
  for (let i = 0; i < 4; i++) assert.equal((await connect(gw.url, { token: 'nope' })).res.error.details.code, 'AUTH_TOKEN_MISMATCH')
  const origin = { headers: { origin: `http://127.0.0.1:${gw.port}` } }
  for (let i = 0; i < 2; i++) assert.equal((await connect(gw.url, { token: 'nope', clientId: 'openclaw-control-ui', mode: 'webchat' }, origin)).res.error.details.code, 'AUTH_TOKEN_MISMATCH')
  const limited = await connect(gw.url, { token: 'tok-0123456789', clientId: 'openclaw-control-ui', mode: 'webchat' }, origin)
  assert.equal(limited.res.error.details.code, 'AUTH_RATE_LIMITED')
  // The bucket is per Origin: other pages and non-browser clients are unaffected.
  await connectOk(gw.url, { token: 'tok-0123456789' }).then(({ client }) => { client.close() })
})

test('the unauthorized log line names the reason, never the secret', async (t) => {
  const gw = await build(t, { captureLogs: true })
  await connect(gw.url, { token: 'super-secret-wrong-token' })
  const line = gw.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('unauthorized conn='))
  assert.ok(line !== undefined)
  assert.match(line.msg as string, /^unauthorized conn=[0-9a-f-]{36} reason=token_mismatch$/)
  assert.ok(!JSON.stringify(gw.logs).includes('super-secret-wrong-token'))
})

test('browser origins: foreign pages are refused, allow-listed, "*" and local pages are let in', async (t) => {
  const gw = await build(t, { config: { gateway: { controlUi: { allowedOrigins: ['https://ops.example.com'] } } } })
  const foreign = await connect(gw.url, { token: gw.token }, { headers: { origin: 'https://evil.example.com' } })
  const message = 'origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)'
  assert.deepEqual(foreign.res.error, { code: 'INVALID_REQUEST', message, details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', reason: 'origin not allowed' } })
  assert.deepEqual(await foreign.client.closed, { code: 1008, reason: message })

  for (const origin of ['https://ops.example.com', `http://localhost:${gw.port}`, `http://127.0.0.1:${gw.port}`]) {
    const { client } = await connectOk(gw.url, { token: gw.token }, { headers: { origin } })
    client.close()
  }
  const star = await build(t, { config: { gateway: { controlUi: { allowedOrigins: ['*'] } } } })
  const { client } = await connectOk(star.url, { token: star.token }, { headers: { origin: 'https://anything.example' } })
  client.close()
})

test('a loopback page is refused for remote clients; same-host private origins are accepted', async (t) => {
  const gw = await build(t, { wsRpc: remoteByHeader })
  const remote = await connect(gw.url, { token: gw.token }, { headers: { 'x-test-remote': '1', origin: 'http://localhost:5173' } })
  assert.equal(remote.res.error.details.code, 'CONTROL_UI_ORIGIN_NOT_ALLOWED')
  const lan = await connectOk(gw.url, { token: gw.token }, { headers: { 'x-test-remote': '1', origin: 'http://192.168.1.20:18789', host: '192.168.1.20:18789' } })
  lan.client.close()
})

test('device-less loopback operators keep the scopes they ask for; defaults when they ask for none', async (t) => {
  const gw = await build(t)
  const read = await connectOk(gw.url, { token: gw.token, scopes: ['operator.read'] })
  t.after(() => { read.client.close() })
  assert.deepEqual(read.hello.auth.scopes, ['operator.read'])
  const none = await connectOk(gw.url, { token: gw.token })
  t.after(() => { none.client.close() })
  assert.deepEqual(none.hello.auth.scopes, ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'])
})

test('device-less remote operators have their scopes cleared: health yes, status no', async (t) => {
  const gw = await build(t, { wsRpc: remoteByHeader })
  const { client, hello } = await connectOk(gw.url, { token: gw.token, scopes: ['operator.admin'] }, REMOTE)
  t.after(() => { client.close() })
  assert.deepEqual(hello.auth.scopes, [])
  assert.equal(hello.snapshot.configPath, undefined)
  assert.equal((await client.request('health')).ok, true)
  assert.deepEqual((await client.request('status')).error, {
    code: 'FORBIDDEN', message: 'missing scope: operator.read', details: { code: 'MISSING_SCOPE', missingScope: 'operator.read', requiredScopes: ['operator.read'] }
  })
})

test('x-openclaw-scopes on the upgrade request caps the granted scopes', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token }, { headers: { 'x-openclaw-scopes': 'operator.read, operator.pairing' } })
  t.after(() => { client.close() })
  assert.deepEqual(hello.auth.scopes, ['operator.read', 'operator.pairing'])
})

test('a proxied loopback request (X-Forwarded-For) is not treated as local', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token }, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.after(() => { client.close() })
  assert.deepEqual(hello.auth.scopes, [])
})
