// ws-rpc handshake over a real socket: the challenge, every bad-first-frame
// path with its exact error and close code, protocol negotiation, timeouts,
// and the closed hello-ok shape.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { HelloOk } from '../schemas/frames.js'
import { build } from './support/gateway.js'
import { connect, connectOk, connectParams, TestClient } from './support/ws-client.js'

const helloOk = TypeCompiler.Compile(HelloOk)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

async function open (t: TestContext, url: string): Promise<TestClient> {
  const c = await TestClient.open(url)
  t.after(() => { c.close() })
  return c
}

/** Answers the challenge with connect (id `c`) and `count` health requests (`q0`…) behind it. */
async function connectWithQueued (c: TestClient, token: string | undefined, count: number): Promise<void> {
  const { nonce } = await c.challenge()
  // One TCP write, so all frames are parsed before the handshake can finish.
  const raw = c.socket
  raw.cork()
  c.send({ type: 'req', id: 'c', method: 'connect', params: connectParams({ token }, nonce) })
  for (let i = 0; i < count; i++) c.send({ type: 'req', id: `q${i}`, method: 'health' })
  raw.uncork()
}

test('the server speaks first: connect.challenge with a uuid nonce, a timestamp and no seq', async (t) => {
  const gw = await build(t)
  const before = Date.now()
  const c = await open(t, gw.url)
  const ev = await c.event('connect.challenge')
  assert.equal(ev.seq, undefined)
  assert.match(ev.payload.nonce, UUID)
  assert.ok(ev.payload.ts >= before - 1000 && ev.payload.ts <= Date.now() + 1000)
  assert.deepEqual(Object.keys(ev.payload).sort(), ['nonce', 'ts'])
})

test('each socket gets its own nonce', async (t) => {
  const gw = await build(t)
  const a = await (await open(t, gw.url)).challenge()
  const b = await (await open(t, gw.url)).challenge()
  assert.notEqual(a.nonce, b.nonce)
})

test('a first frame that is not a request frame closes 1008 "invalid request frame" without a response', async (t) => {
  const gw = await build(t)
  for (const bad of ['not json', '42', '[1,2]', 'null', JSON.stringify({ type: 'req', id: '', method: 'connect' }), JSON.stringify({ type: 'event', event: 'x' })]) {
    const c = await open(t, gw.url)
    await c.challenge()
    c.send(bad)
    assert.deepEqual(await c.closed, { code: 1008, reason: 'invalid request frame' }, bad)
    assert.equal(c.frames.filter((f) => f.type === 'res').length, 0)
  }
})

test('a first request other than connect is answered, then closed with the same reason', async (t) => {
  const gw = await build(t)
  const c = await open(t, gw.url)
  await c.challenge()
  const res = await c.request('health')
  assert.deepEqual(res.error, { code: 'INVALID_REQUEST', message: 'invalid handshake: first request must be connect' })
  assert.deepEqual(await c.closed, { code: 1008, reason: 'invalid handshake: first request must be connect' })
})

test('invalid connect params name the problem; the close reason fits in 123 bytes', async (t) => {
  const gw = await build(t)
  const cases: unknown[] = [
    { minProtocol: 4, maxProtocol: 4 },
    { ...connectParams({ token: gw.token }, 'n'), unexpected: true },
    { ...connectParams({ token: gw.token }, 'n'), client: { id: 'no-such-client', version: '1', platform: 'x', mode: 'cli' } }
  ]
  for (const params of cases) {
    const c = await open(t, gw.url)
    await c.challenge()
    const res = await c.request('connect', params)
    assert.equal(res.error.code, 'INVALID_REQUEST')
    assert.match(res.error.message, /^invalid connect params: at /)
    const closed = await c.closed
    assert.equal(closed.code, 1008)
    assert.ok(Buffer.byteLength(closed.reason) <= 123, closed.reason)
    assert.ok(closed.reason.startsWith('invalid connect params: '))
  }
})

test('protocol ranges without 4 are refused with PROTOCOL_MISMATCH and close 1002', async (t) => {
  const gw = await build(t)
  const { client, res } = await connect(gw.url, { token: gw.token, minProtocol: 5, maxProtocol: 6 })
  assert.deepEqual(res.error, {
    code: 'INVALID_REQUEST',
    message: 'protocol mismatch',
    details: { code: 'PROTOCOL_MISMATCH', clientMinProtocol: 5, clientMaxProtocol: 6, expectedProtocol: 4, minimumProbeProtocol: 3 }
  })
  assert.deepEqual(await client.closed, { code: 1002, reason: 'protocol mismatch' })

  const cli3 = await connect(gw.url, { token: gw.token, minProtocol: 3, maxProtocol: 3 })
  assert.equal(cli3.res.error.message, 'protocol mismatch')
})

test('probes may stop at protocol 3', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token, mode: 'probe', clientId: 'openclaw-probe', minProtocol: 3, maxProtocol: 3 })
  t.after(() => { client.close() })
  assert.equal(hello.protocol, 3)
})

test('an unknown role is refused with "invalid role"', async (t) => {
  const gw = await build(t)
  const { client, res } = await connect(gw.url, { token: gw.token, role: 'worker' })
  assert.deepEqual(res.error, { code: 'INVALID_REQUEST', message: 'invalid role' })
  assert.deepEqual(await client.closed, { code: 1008, reason: 'invalid role' })
})

test('a frame over 64 KiB before hello-ok closes 1009', async (t) => {
  const gw = await build(t)
  const c = await open(t, gw.url)
  await c.challenge()
  c.send(JSON.stringify({ type: 'req', id: '1', method: 'connect', params: { pad: 'x'.repeat(70_000) } }))
  assert.deepEqual(await c.closed, { code: 1009, reason: 'preauth payload too large' })
})

test('a silent client is closed 1000 after OPENCLAW_HANDSHAKE_TIMEOUT_MS', async (t) => {
  const gw = await build(t, { env: { OPENCLAW_HANDSHAKE_TIMEOUT_MS: '150' }, captureLogs: true })
  const c = await open(t, gw.url)
  const started = Date.now()
  assert.deepEqual(await c.closed, { code: 1000, reason: '' })
  assert.ok(Date.now() - started >= 100)
  assert.ok(gw.logs.some((l) => typeof l.msg === 'string' && /^handshake timeout conn=\S+ peer=\S+ phase=challenge$/.test(l.msg)))
})

test('the handshake timer stops at hello-ok', async (t) => {
  const gw = await build(t, { wsRpc: { handshakeTimeoutMs: 150 } })
  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal((await client.request('health')).ok, true)
})

test('frames queued behind connect are bounded: the 17th closes 1008', async (t) => {
  const gw = await build(t)
  const c = await open(t, gw.url)
  await connectWithQueued(c, gw.token, 17)
  assert.deepEqual(await c.closed, { code: 1008, reason: 'too many pending handshake frames' })
})

test('frames queued behind connect are answered after hello-ok, in order', async (t) => {
  const gw = await build(t)
  const c = await open(t, gw.url)
  await connectWithQueued(c, gw.token, 5)
  await c.response('q4')
  const order = c.frames.filter((f) => f.type === 'res').map((f) => f.id)
  assert.deepEqual(order, ['c', 'q0', 'q1', 'q2', 'q3', 'q4'])
})

test('hello-ok is the closed contract shape with the advertised methods, events and policy', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  assert.ok(helloOk.Check(hello), JSON.stringify([...helloOk.Errors(hello)].slice(0, 3)))
  assert.equal(hello.type, 'hello-ok')
  assert.equal(hello.protocol, 4)
  assert.deepEqual(Object.keys(hello.server).sort(), ['connId', 'version'])
  assert.match(hello.server.connId, UUID)
  assert.deepEqual(hello.policy, { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 })
  for (const m of ['health', 'status', 'system-presence', 'logs.tail', 'gateway.identity.get', 'system.info', 'device.pair.list']) assert.ok(hello.features.methods.includes(m), m)
  assert.deepEqual([...hello.features.methods].sort(), hello.features.methods)
  for (const e of ['connect.challenge', 'tick', 'presence', 'health', 'shutdown']) assert.ok(hello.features.events.includes(e), e)
  const { defaultAgentId, mainKey, mainSessionKey } = hello.snapshot.sessionDefaults ?? {}
  assert.deepEqual({ defaultAgentId, mainKey, mainSessionKey }, { defaultAgentId: 'main', mainKey: 'main', mainSessionKey: 'agent:main:main' })
  assert.equal(hello.snapshot.authMode, 'token')
  assert.equal(hello.snapshot.health.configReload?.hotReloadStatus, 'active')
  assert.deepEqual(hello.auth, { method: 'token', role: 'operator', scopes: ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'] })
  assert.equal(typeof hello.snapshot.configPath, 'string')
})

test('methods registered with advertise:false are callable but not advertised', async (t) => {
  const gw = await build(t, {
    beforeListen: (app) => { app.rpc.register('test.hidden', { scope: 'operator.read', advertise: false, handler: async () => ({ hidden: true }) }) }
  })
  const { client, hello } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  assert.ok(!hello.features.methods.includes('test.hidden'))
  assert.deepEqual((await client.request('test.hidden')).payload, { hidden: true })
})

test('configPath and stateDir are only in the snapshot of operator.admin connections', async (t) => {
  const gw = await build(t)
  const { client, hello } = await connectOk(gw.url, { token: gw.token, scopes: ['operator.read'] })
  t.after(() => { client.close() })
  assert.deepEqual(hello.auth.scopes, ['operator.read'])
  assert.equal(hello.snapshot.configPath, undefined)
  assert.equal(hello.snapshot.stateDir, undefined)
})

test('gateway.reload.mode off shows as hotReloadStatus disabled; the agents hook sets sessionDefaults', async (t) => {
  const gw = await build(t, {
    config: { gateway: { reload: { mode: 'off' } } },
    beforeListen: (app) => { app.rpc.provideSessionDefaults(() => ({ defaultAgentId: 'ops' })) }
  })
  const { client, hello } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  assert.equal(hello.snapshot.health.configReload.hotReloadStatus, 'disabled')
  const { defaultAgentId, mainKey, mainSessionKey } = hello.snapshot.sessionDefaults
  assert.deepEqual({ defaultAgentId, mainKey, mainSessionKey }, { defaultAgentId: 'ops', mainKey: 'main', mainSessionKey: 'agent:ops:main' })
})

test('a plain HTTP GET / is not taken by the WebSocket route', async (t) => {
  const off = await build(t, { config: { gateway: { controlUi: { enabled: false } } } })
  const res = await fetch(`http://127.0.0.1:${off.port}/`)
  assert.equal(res.status, 404)
  await res.body?.cancel()

  // The Control UI owns HTTP GET / (its page, or 503 when the UI is not built); the upgrade still reaches ws-rpc.
  const withUi = await build(t)
  const page = await fetch(`http://127.0.0.1:${withUi.port}/`, { headers: { accept: 'text/html' } })
  assert.ok(page.status === 200 || page.status === 503, `status ${page.status}`)
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/)
  await page.body?.cancel()
  const { client } = await connectOk(withUi.url, { token: withUi.token })
  t.after(() => { client.close() })
})
