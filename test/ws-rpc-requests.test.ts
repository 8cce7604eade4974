// Requests after hello-ok: unknown methods, params and frame validation,
// scope enforcement and the unauthorized-call flood guard, handler failures,
// cancel frames, idempotency dedupe and two-stage responses.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Type, type TSchema } from '@sinclair/typebox'
import { RpcError } from '../src/errors/index.js'
import type { MethodDefinition } from '../src/rpc/types.js'
import { build, type TestGatewayOptions } from './support/gateway.js'
import { connectOk, type ConnectOptions } from './support/ws-client.js'

async function session (t: TestContext, opts: TestGatewayOptions = {}, who: ConnectOptions = {}) {
  const gw = await build(t, opts)
  const { client, hello } = await connectOk(gw.url, { token: gw.token, ...who })
  t.after(() => { client.close() })
  return { gw, client, hello }
}

/** A session on a gateway that also serves one test-only method. */
async function sessionWith<P extends TSchema, R extends TSchema> (t: TestContext, name: string, def: MethodDefinition<P, R>, who: ConnectOptions = {}) {
  return await session(t, { beforeListen: (app) => { app.rpc.register(name, def) } }, who)
}

test('unknown methods: INVALID_REQUEST "unknown method: X"', async (t) => {
  const { client } = await session(t)
  assert.deepEqual((await client.request('no.such.method', {})).error, { code: 'INVALID_REQUEST', message: 'unknown method: no.such.method' })
})

test('params are validated against the method schema: "invalid <method> params: …"', async (t) => {
  const { client } = await session(t)
  const res = await client.request('logs.tail', { limit: 0, extra: 1 })
  assert.equal(res.error.code, 'INVALID_REQUEST')
  assert.match(res.error.message, /^invalid logs\.tail params: at /)
  assert.match(res.error.message, /at \/limit: Expected integer to be greater or equal to 1/)
  // Reads ignore unknown fields (a newer client's); writes refuse them.
  assert.doesNotMatch(res.error.message, /extra/)
  assert.equal((await client.request('status', { unexpected: true })).ok, true)
  const write = await client.request('chat.abort', { sessionKey: 'main', unexpected: true })
  assert.match(write.error.message, /^invalid chat\.abort params: at \/unexpected: Unexpected property/)
  // Absent params count as {} for object schemas.
  assert.equal((await client.request('status')).ok, true)
})

test('invalid frames after hello-ok are answered, echoing the id when there is one', async (t) => {
  const { client } = await session(t)
  client.send({ type: 'req', id: 'x1', method: '' })
  const res = await client.response('x1')
  assert.equal(res.error.code, 'INVALID_REQUEST')
  assert.match(res.error.message, /^invalid request frame: at \/method: /)
  client.send({ type: 'req', method: 'health' })
  const noId = await client.response('invalid')
  assert.match(noId.error.message, /^invalid request frame: /)
  assert.equal((await client.request('health')).ok, true)
})

test('write implies read; admin implies everything; a missing scope is FORBIDDEN with MISSING_SCOPE', async (t) => {
  const { gw, client } = await session(t, {}, { scopes: ['operator.write'] })
  assert.equal((await client.request('status')).ok, true)
  assert.deepEqual((await client.request('device.pair.list', {})).error, {
    code: 'FORBIDDEN', message: 'missing scope: operator.pairing', details: { code: 'MISSING_SCOPE', missingScope: 'operator.pairing', requiredScopes: ['operator.pairing'] }
  })
  const admin = await connectOk(gw.url, { token: gw.token, scopes: ['operator.admin'] })
  t.after(() => { admin.client.close() })
  assert.equal((await admin.client.request('device.pair.list', {})).ok, true)
})

test('dynamic scopes are resolved from validated params', async (t) => {
  const { client } = await sessionWith(t, 'test.patch', {
    scope: (p) => p.privileged === true ? 'operator.admin' : 'operator.write',
    params: Type.Object({ privileged: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    handler: async () => ({ ok: true })
  }, { scopes: ['operator.write'] })
  assert.equal((await client.request('test.patch', {})).ok, true)
  assert.equal((await client.request('test.patch', { privileged: true })).error.message, 'missing scope: operator.admin')
})

test('operator methods refuse node connections with "unauthorized role: node"', async (t) => {
  const { createDeviceIdentity } = await import('../src/devices/client.js')
  const gw = await build(t)
  const { client } = await connectOk(gw.url, { token: gw.token, role: 'node', mode: 'node', clientId: 'node-host', identity: createDeviceIdentity() })
  t.after(() => { client.close() })
  assert.deepEqual((await client.request('status')).error, { code: 'INVALID_REQUEST', message: 'unauthorized role: node' })
  assert.equal((await client.request('health')).ok, true)
})

test('more than 10 denied calls close the socket 1008 "repeated unauthorized calls"', async (t) => {
  const { client } = await session(t, {}, { scopes: ['operator.read'] })
  for (let i = 0; i < 10; i++) assert.equal((await client.request('device.pair.list', {})).error.code, 'FORBIDDEN')
  client.send({ type: 'req', id: 'last', method: 'device.pair.list', params: {} })
  assert.deepEqual(await client.closed, { code: 1008, reason: 'repeated unauthorized calls' })
})

test('a handler that throws a plain error answers UNAVAILABLE "internal error" and the socket lives on', async (t) => {
  const { client, gw } = await session(t, {
    captureLogs: true,
    beforeListen: (app) => {
      app.rpc.register('test.boom', { scope: 'operator.read', handler: async () => { throw new Error('kaboom') } })
      app.rpc.register('test.typed', { scope: 'operator.read', handler: async () => { throw new RpcError('UNAVAILABLE', 'busy', { retryable: true, retryAfterMs: 50 }) } })
    }
  })
  assert.deepEqual((await client.request('test.boom')).error, { code: 'UNAVAILABLE', message: 'internal error' })
  assert.ok(gw.logs.some((l) => l.msg === 'rpc handler failed' && l.method === 'test.boom'))
  assert.deepEqual((await client.request('test.typed')).error, { code: 'UNAVAILABLE', message: 'busy', retryable: true, retryAfterMs: 50 })
  assert.equal((await client.request('health')).ok, true)
})

test('results are checked against the result schema', async (t) => {
  const { client } = await sessionWith(t, 'test.bad-result', { scope: 'operator.read', result: Type.Object({ n: Type.Integer() }), handler: async () => ({ n: 'one' }) as never })
  assert.deepEqual((await client.request('test.bad-result')).error, { code: 'UNAVAILABLE', message: 'internal error' })
})

test('a cancel frame aborts the request signal; the call answers "request cancelled"', async (t) => {
  let aborted: unknown
  let markStarted!: () => void
  const started = new Promise<void>((resolve) => { markStarted = resolve })
  const { client } = await sessionWith(t, 'test.wait', {
    scope: 'operator.read',
    handler: async (_p, ctx) => await new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => { aborted = ctx.signal.reason; reject(new Error('aborted')) })
      markStarted()
    })
  })
  client.send({ type: 'req', id: 'w1', method: 'test.wait' })
  await started
  client.send({ type: 'cancel', id: 'w1' })
  assert.deepEqual((await client.response('w1')).error, { code: 'UNAVAILABLE', message: 'request cancelled' })
  assert.ok(aborted instanceof Error)
  // Cancelling an unknown id is ignored.
  client.send({ type: 'cancel', id: 'nope' })
  assert.equal((await client.request('health')).ok, true)
})

test('disconnecting aborts what is still running for the socket', async (t) => {
  let resolveAborted!: () => void
  let markStarted!: () => void
  const abortedOnClose = new Promise<void>((resolve) => { resolveAborted = resolve })
  const started = new Promise<void>((resolve) => { markStarted = resolve })
  const { client } = await sessionWith(t, 'test.hang', {
    scope: 'operator.read',
    handler: async (_p, ctx) => await new Promise(() => { ctx.signal.addEventListener('abort', () => { resolveAborted() }); markStarted() })
  })
  client.send({ type: 'req', id: 'h', method: 'test.hang' })
  await started
  client.close()
  await abortedOnClose
})

test('idempotent methods replay the first response for the same idempotencyKey', async (t) => {
  let calls = 0
  const { client } = await sessionWith(t, 'test.send', {
    scope: 'operator.write',
    idempotent: true,
    params: Type.Object({ idempotencyKey: Type.String(), text: Type.String() }),
    handler: async (p) => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 30))
      return { runId: p.idempotencyKey, call: calls }
    }
  })
  // Two in flight at once, then one after: a single execution.
  const [a, b] = await Promise.all([client.request('test.send', { idempotencyKey: 'k1', text: 'x' }), client.request('test.send', { idempotencyKey: 'k1', text: 'x' })])
  const c = await client.request('test.send', { idempotencyKey: 'k1', text: 'x' })
  assert.deepEqual([a.payload, b.payload, c.payload], [{ runId: 'k1', call: 1 }, { runId: 'k1', call: 1 }, { runId: 'k1', call: 1 }])
  assert.deepEqual((await client.request('test.send', { idempotencyKey: 'k2', text: 'x' })).payload, { runId: 'k2', call: 2 })
  assert.equal(calls, 2)
})

test('a failed first call does not poison its idempotencyKey', async (t) => {
  let calls = 0
  const { client } = await sessionWith(t, 'test.flaky', {
    scope: 'operator.write',
    idempotent: true,
    handler: async () => {
      if (++calls === 1) throw new RpcError('UNAVAILABLE', 'try again', { retryable: true })
      return { ok: true }
    }
  })
  assert.equal((await client.request('test.flaky', { idempotencyKey: 'k' })).error.message, 'try again')
  assert.deepEqual((await client.request('test.flaky', { idempotencyKey: 'k' })).payload, { ok: true })
})

test('two-stage methods: ctx.ack sends a first res, the return value a second with the same id', async (t) => {
  const { client } = await sessionWith(t, 'test.run', {
    scope: 'operator.write',
    handler: async (_p, ctx) => {
      ctx.ack({ runId: 'r1', status: 'accepted', acceptedAt: 1 })
      ctx.sendEvent('test.progress', { step: 1 })
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { runId: 'r1', status: 'ok', summary: 'completed' }
    }
  })
  client.send({ type: 'req', id: 'two', method: 'test.run' })
  assert.deepEqual((await client.response('two', 1)).payload, { runId: 'r1', status: 'accepted', acceptedAt: 1 })
  assert.deepEqual((await client.response('two', 2)).payload, { runId: 'r1', status: 'ok', summary: 'completed' })
  const progress = await client.event('test.progress')
  assert.equal(progress.seq, undefined)
})

test('registering a method twice is a programming error', async (t) => {
  const gw = await build(t)
  assert.throws(() => { gw.app.rpc.register('health', { scope: 'none', handler: async () => ({}) }) }, { code: 'RPC_METHOD_DUPLICATE' })
})
