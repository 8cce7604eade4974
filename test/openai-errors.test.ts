// Every failure under /v1 is JSON in the OpenAI envelope: auth, rate limit,
// malformed or oversized bodies, wrong content types, unknown routes, wrong
// methods. Plus CORS for browser clients, off by default.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startHttpGateway } from './support/http-gateway.js'
import { rawExchange } from './support/raw-http.js'

async function expectError (res: Response, status: number, message: RegExp, type = 'invalid_request_error'): Promise<any> {
  assert.equal(res.status, status)
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
  const body = await res.json() as any
  assert.deepEqual(Object.keys(body), ['error'])
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'])
  assert.match(body.error.message, message)
  assert.equal(body.error.type, type)
  return body.error
}

const chat = { messages: [{ role: 'user', content: 'hi' }] }

test('401 without or with a wrong bearer, on every route', async (t) => {
  const { fetch } = await startHttpGateway(t)
  for (const [path, init] of [['/v1/models', {}], ['/v1/models/openclaw', {}], ['/v1/chat/completions', { json: chat }], ['/v1/responses', { json: { input: 'x' } }], ['/v1/embeddings', { json: { model: 'openclaw', input: 'x' } }]] as const) {
    await expectError(await fetch(path, { ...init, auth: false }), 401, /^Unauthorized$/, 'unauthorized')
    await expectError(await fetch(path, { ...init, headers: { authorization: 'Bearer wrong' } }), 401, /^Unauthorized$/, 'unauthorized')
  }
})

test('429 with Retry-After once the failed-auth budget is spent', async (t) => {
  const { fetch } = await startHttpGateway(t, { config: () => ({ gateway: { auth: { token: 'test-token-0123456789abcdef', rateLimit: { maxAttempts: 2, exemptLoopback: false } } } }) })
  const wrong = { headers: { authorization: 'Bearer nope' } }
  await expectError(await fetch('/v1/models', wrong), 401, /Unauthorized/, 'unauthorized')
  await expectError(await fetch('/v1/models', wrong), 401, /Unauthorized/, 'unauthorized')
  const res = await fetch('/v1/models', wrong)
  await expectError(res, 429, /Too many failed authentication attempts/, 'rate_limited')
  assert.match(res.headers.get('retry-after') ?? '', /^\d+$/)
})

test('auth mode none: x-openclaw-scopes limits a caller per route (403 missing scope); the shared-secret owner ignores it', async (t) => {
  const gw = await startHttpGateway(t, { token: null })
  const read = { 'x-openclaw-scopes': 'operator.read' }
  // Reading is read; running an agent is write (contract 3.1).
  assert.equal((await gw.fetch('/v1/models', { headers: read })).status, 200)
  assert.equal((await gw.fetch('/v1/openapi.json', { headers: read })).status, 200)
  let err = await expectError(await gw.fetch('/v1/chat/completions', { json: chat, headers: read }), 403, /^missing scope: operator\.write$/, 'forbidden')
  assert.equal(err.code, 'missing_scope')
  await expectError(await gw.fetch('/v1/responses', { json: { input: 'x' }, headers: read }), 403, /operator\.write/, 'forbidden')
  await expectError(await gw.fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'x' }, headers: read }), 403, /operator\.write/, 'forbidden')
  const tools = await gw.fetch('/tools/invoke', { json: { tool: 'ls' }, headers: read })
  assert.equal(tools.status, 403)
  assert.deepEqual(await tools.json(), { ok: false, error: { message: 'missing scope: operator.write', type: 'forbidden', param: null, code: 'missing_scope' } })
  assert.equal(gw.upstream.requests.length, 0, 'nothing refused reached the model')

  // Write covers the run, but choosing the backend model takes admin.
  const write = { 'x-openclaw-scopes': 'operator.write' }
  const ok = await gw.fetch('/v1/chat/completions', { json: chat, headers: write })
  assert.equal(ok.status, 200, await ok.clone().text())
  assert.equal((await gw.fetch('/v1/models', { headers: write })).status, 200, 'write implies read')
  err = await expectError(await gw.fetch('/v1/chat/completions', { json: chat, headers: { ...write, 'x-openclaw-model': 'fake/echo' } }), 403, /^missing scope: operator\.admin$/, 'forbidden')
  const admin = await gw.fetch('/v1/chat/completions', { json: chat, headers: { 'x-openclaw-scopes': 'operator.admin', 'x-openclaw-model': 'fake/echo' } })
  assert.equal(admin.status, 200)
  // No header: an identity-bearing caller gets the operator defaults.
  assert.equal((await gw.fetch('/v1/chat/completions', { json: chat, headers: { 'x-openclaw-model': 'fake/echo' } })).status, 200)
})

test('with a shared secret, x-openclaw-scopes is ignored: the bearer holder is the owner', async (t) => {
  const gw = await startHttpGateway(t)
  const res = await gw.fetch('/v1/chat/completions', { json: chat, headers: { 'x-openclaw-scopes': 'operator.read', 'x-openclaw-model': 'fake/echo' } })
  assert.equal(res.status, 200, await res.clone().text())
})

test('malformed JSON, empty bodies and non-objects are 400s', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const post = (body: string) => fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  await expectError(await post('{"messages": ['), 400, /^The request body is not valid JSON\.$/)
  await expectError(await post(''), 400, /^The request body is empty/)
  await expectError(await post('[1,2]'), 400, /^The request body must be a JSON object\.$/)
  await expectError(await post('{}'), 400, /^Missing required parameter: 'messages'\.$/)
})

test('a wrong content type is 415; a body over 20 MB is 413', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const err = await expectError(await fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(chat) }), 415, /application\/json/)
  assert.equal(err.param, null)
  await expectError(await fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }), 415, /Content-Type/)
  const big = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }] })
  await expectError(await fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 413, /^Payload too large$/)
  // Just under the limit is accepted (the default 1 MB app limit does not apply here).
  const ok = await fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: 'y'.repeat(2 * 1024 * 1024) }] } })
  assert.equal(ok.status, 200)
})

test('a body that does not arrive in time is a 408 in the OpenAI shape; bytes that are not HTTP are a 400', async (t) => {
  const gw = await startHttpGateway(t, { http: { requestTimeoutMs: 300, timeoutCheckIntervalMs: 50 } })
  const port = gw.gw.port
  const slow = await rawExchange(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gw.token!}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":`)
  const [head, body] = slow.split('\r\n\r\n')
  assert.match(head!, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  assert.match(head!, /\r\nx-content-type-options: nosniff\r\n/)
  assert.match(head!, /\r\nconnection: close/)
  assert.deepEqual(JSON.parse(body!), { error: { message: 'Request body timeout', type: 'invalid_request_error', param: null, code: 'request_timeout' } })
  assert.equal(gw.upstream.requests.length, 0)

  const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n')
  assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.equal(JSON.parse(garbage.split('\r\n\r\n')[1]!).error.code, 'bad_request')
  const huge = await rawExchange(port, `GET /v1/models HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)
  assert.match(huge, /^HTTP\/1\.1 431 /)
  assert.equal(JSON.parse(huge.split('\r\n\r\n')[1]!).error.code, 'headers_too_large')
  // The gateway is still serving.
  assert.equal((await gw.fetch('/v1/models')).status, 200)
})

test('by default a request has 30 s, headers included (Node only enforces it with headersTimeout no longer)', async (t) => {
  const { gw } = await startHttpGateway(t)
  assert.equal(gw.app.server.requestTimeout, 30_000)
  assert.ok(gw.app.server.headersTimeout <= 30_000)
})

test('unknown routes under /v1 are 404 JSON; a wrong method is 405 JSON with Allow', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const err = await expectError(await fetch('/v1/completions', { json: { prompt: 'x' } }), 404, /^Unknown route: POST \/v1\/completions\.$/)
  assert.equal(err.code, 'unknown_route')
  await expectError(await fetch('/v1/nope/deeper?x=1'), 404, /Unknown route: GET \/v1\/nope\/deeper/)

  let res = await fetch('/v1/chat/completions')
  await expectError(res, 405, /^Method Not Allowed$/)
  assert.equal(res.headers.get('allow'), 'POST')
  res = await fetch('/v1/models', { method: 'DELETE' })
  await expectError(res, 405, /Method Not Allowed/)
  assert.equal(res.headers.get('allow'), 'GET, HEAD')
  res = await fetch('/v1/models/openclaw', { json: {} })
  assert.equal(res.status, 405)
  // The OpenAPI document is served by another plugin, and is known here all the same.
  res = await fetch('/v1/openapi.json', { json: {} })
  await expectError(res, 405, /Method Not Allowed/)
  assert.equal(res.headers.get('allow'), 'GET, HEAD')
  // Outside /v1 the gateway's own 404 applies.
  assert.equal((await fetch('/nope')).headers.get('content-type'), 'text/plain; charset=utf-8')
})

test('CORS is off by default: no allow-origin header, preflight not answered', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const res = await fetch('/v1/models', { headers: { origin: 'https://chat.example' } })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('access-control-allow-origin'), null)
  const pre = await fetch('/v1/chat/completions', { method: 'OPTIONS', auth: false, headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST' } })
  assert.equal(pre.headers.get('access-control-allow-origin'), null)
  assert.notEqual(pre.status, 204)
})

test('gateway.http.cors.allowedOrigins answers preflights before auth and tags responses, live', async (t) => {
  const { fetch, setConfig, gw } = await startHttpGateway(t, { config: () => ({ gateway: { http: { cors: { allowedOrigins: ['https://chat.example'] } } } }) })
  const preflight = (origin: string) => fetch('/v1/chat/completions', {
    method: 'OPTIONS',
    auth: false,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os' }
  })
  let pre = await preflight('https://chat.example')
  assert.equal(pre.status, 204)
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://chat.example')
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization,content-type,x-stainless-os')
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/)

  pre = await preflight('https://evil.example')
  assert.equal(pre.headers.get('access-control-allow-origin'), null)

  const res = await fetch('/v1/chat/completions', { headers: { origin: 'https://chat.example' }, json: chat })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://chat.example')
  const denied = await fetch('/v1/models', { auth: false, headers: { origin: 'https://chat.example' } })
  assert.equal(denied.status, 401)
  assert.equal(denied.headers.get('access-control-allow-origin'), 'https://chat.example', 'a browser can read the 401')

  const streamed = await fetch('/v1/chat/completions', { headers: { origin: 'https://chat.example' }, json: { ...chat, stream: true } })
  assert.equal(streamed.headers.get('access-control-allow-origin'), 'https://chat.example', 'streams keep the CORS headers')
  await streamed.text()

  const config = gw.app.configStore.config
  setConfig({ ...config, gateway: { ...config.gateway, http: { cors: { allowedOrigins: [] } } } })
  pre = await preflight('https://chat.example')
  assert.equal(pre.headers.get('access-control-allow-origin'), null, 'switching CORS off applies without restart')
})
