// Hostile and sloppy input: binary frames, invalid UTF-8, non-object JSON,
// a 10 MB frame, floods before hello. Each case must leave the gateway
// serving an unrelated, well-behaved client.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { build, type TestGateway } from './support/gateway.js'
import { connectOk, TestClient } from './support/ws-client.js'

async function stillServing (t: TestContext, gw: TestGateway): Promise<void> {
  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  assert.equal((await client.request('health')).ok, true)
}

test('binary frames carrying UTF-8 JSON are accepted like text (as OpenClaw does)', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  client.ws.send(Buffer.from(JSON.stringify({ type: 'req', id: 'b1', method: 'health' })), { binary: true })
  assert.equal((await client.response('b1')).ok, true)
})

test('binary frames with invalid UTF-8 get "invalid request frame: invalid UTF-8", logged once at debug', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const { client, hello } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  for (let i = 0; i < 3; i++) client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: true })
  const res = await client.response('invalid', 3)
  assert.deepEqual(res.error, { code: 'INVALID_REQUEST', message: 'invalid request frame: invalid UTF-8' })
  const logged = gw.logs.filter((l) => l.msg === 'bad client input' && l.connId === hello.server.connId)
  assert.equal(logged.length, 1)
  assert.equal(logged[0]!.level, 20)
  await stillServing(t, gw)
})

test('invalid UTF-8 in a text frame is a protocol error: ws closes 1007', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const { client } = await connectOk(gw.url, { token: gw.token })
  client.ws.send(Buffer.from([0x22, 0xc3, 0x28, 0x22]), { binary: false })
  assert.equal((await client.closed).code, 1007)
  await stillServing(t, gw)
})

test('non-object JSON after hello-ok is answered as an invalid frame', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  for (const [i, text] of ['42', '"req"', '[{"type":"req"}]', 'null', '{"type":'].entries()) {
    client.send(text)
    const res = await client.response('invalid', i + 1)
    assert.match(res.error.message, /^invalid request frame: (non-object JSON|invalid JSON)$/)
  }
  assert.equal((await client.request('health')).ok, true)
})

test('a 10 MB frame before hello-ok closes 1009; after hello-ok it is just a bad request', async (t) => {
  const gw = await build(t, { captureLogs: true })
  // A 10 MB string where health wants a boolean (an unknown field would be ignored: health is a read).
  const big = JSON.stringify({ type: 'req', id: 'big', method: 'health', params: { probe: 'x'.repeat(10 * 1024 * 1024) } })
  const pre = await TestClient.open(gw.url)
  await pre.challenge()
  pre.send(big)
  assert.deepEqual(await pre.closed, { code: 1009, reason: 'preauth payload too large' })

  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  client.send(big)
  assert.match((await client.response('big', 1, 10_000)).error.message, /^invalid health params: /)
  await stillServing(t, gw)
})

test('a flood of garbage before hello-ok costs one close; the gateway keeps serving', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const flooders = await Promise.all(Array.from({ length: 20 }, async () => await TestClient.open(gw.url)))
  for (const f of flooders) for (let i = 0; i < 500; i++) f.send(`garbage ${i}`)
  for (const f of flooders) assert.deepEqual(await f.closed, { code: 1008, reason: 'invalid request frame' })
  await stillServing(t, gw)
})

test('a flood of connect frames is refused after the first', async (t) => {
  const gw = await build(t, { captureLogs: true })
  const c = await TestClient.open(gw.url)
  await c.challenge()
  for (let i = 0; i < 200; i++) c.send({ type: 'req', id: `c${i}`, method: 'connect', params: {} })
  assert.equal((await c.closed).code, 1008)
  await stillServing(t, gw)
})
