// Server events: tick, presence and health with stateVersion, per-connection
// seq and its gaps under a slow consumer, fan-out filters, keepalive, and the
// shutdown event before close 1012.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, startTestGateway } from './support/gateway.js'
import { connectOk, connectParams, TestClient, type ConnectOptions, type Frame } from './support/ws-client.js'

async function join (t: TestContext, url: string, o: ConnectOptions) {
  const { client, hello } = await connectOk(url, o)
  t.after(() => { client.close() })
  return { client, hello }
}

const seqs = (c: TestClient) => c.frames.filter((f) => f.type === 'event' && typeof f.seq === 'number').map((f) => f.seq as number)

test('tick {ts} arrives every tickIntervalMs with a per-connection seq starting at 1', async (t) => {
  const gw = await build(t, { wsRpc: { tickIntervalMs: 40 } })
  const { client, hello } = await join(t, gw.url, { token: gw.token })
  assert.equal(hello.policy.tickIntervalMs, 40)
  await client.next((f) => f.event === 'tick' && f.seq >= 3)
  const ticks = client.frames.filter((f) => f.event === 'tick')
  assert.deepEqual(Object.keys(ticks[0]!.payload), ['ts'])
  const all = seqs(client)
  assert.equal(all[0], 1)
  assert.deepEqual(all, all.map((_s, i) => i + 1))
})

test('presence: a UI client appears and disappears for others, stateVersion.presence goes up', async (t) => {
  const gw = await build(t, { rpc: { presenceBroadcastDelayMs: 10 } })
  const { client: watcher, hello } = await join(t, gw.url, { token: gw.token })
  const v0 = hello.snapshot.stateVersion.presence as number
  const ui = await connectOk(gw.url, { token: gw.token, clientId: 'openclaw-control-ui', mode: 'webchat', instanceId: 'tab-1', displayName: 'Browser' })
  const joined = await watcher.next((f) => f.event === 'presence' && f.payload.presence.some((p: Frame) => p.instanceId === 'tab-1'))
  assert.ok(joined.stateVersion.presence > v0)
  assert.equal(typeof joined.stateVersion.health, 'number')
  const entry = joined.payload.presence.find((p: Frame) => p.instanceId === 'tab-1')
  assert.equal(entry.host, 'Browser')
  assert.equal(entry.mode, 'webchat')
  assert.deepEqual(entry.roles, ['operator'])
  assert.ok(ui.hello.snapshot.presence.some((p: Frame) => p.instanceId === 'tab-1'), 'hello snapshot includes the client itself')
  const listed = await watcher.request('system-presence', {})
  assert.ok(listed.payload.some((p: Frame) => p.instanceId === 'tab-1'))
  ui.client.close()
  const left = await watcher.next((f) => f.event === 'presence' && f.stateVersion.presence > joined.stateVersion.presence)
  assert.ok(!left.payload.presence.some((p: Frame) => p.instanceId === 'tab-1'))
  // CLI connections are commands, not presences.
  await join(t, gw.url, { token: gw.token, mode: 'cli' })
  assert.ok(!(await watcher.request('system-presence', {})).payload.some((p: Frame) => p.mode === 'cli'))
})

test('a health change is broadcast with stateVersion.health', async (t) => {
  const gw = await build(t)
  let beat = 60
  gw.app.rpc.health.extend(() => ({ heartbeatSeconds: beat }))
  const { client, hello } = await join(t, gw.url, { token: gw.token })
  await gw.app.rpc.health.refresh()
  const first = await client.event('health')
  assert.equal(first.payload.heartbeatSeconds, 60)
  assert.ok(first.stateVersion.health > hello.snapshot.stateVersion.health)
  await gw.app.rpc.health.refresh()
  beat = 30
  await gw.app.rpc.health.refresh()
  const second = await client.next((f) => f.event === 'health' && f.payload.heartbeatSeconds === 30)
  assert.equal(second.stateVersion.health, first.stateVersion.health + 1)
  assert.equal(client.frames.filter((f) => f.event === 'health').length, 2, 'an unchanged snapshot is not re-sent')
  assert.equal((await client.request('health', { probe: true })).payload.heartbeatSeconds, 30)
})

test('fan-out honours scope, requireCap and session-scoped-events subscriptions', async (t) => {
  const gw = await build(t, {
    beforeListen: (app) => {
      app.rpc.register('test.watch', { scope: 'operator.read', handler: async (p, ctx) => { ctx.sessions.subscribe((p as { keys: string[] }).keys); return { subscribed: true } } })
    }
  })
  const admin = await join(t, gw.url, { token: gw.token })
  const reader = await join(t, gw.url, { token: gw.token, scopes: ['operator.read'], caps: ['tool-events'] })
  const scoped = await join(t, gw.url, { token: gw.token, scopes: ['operator.read'], caps: ['session-scoped-events'] })
  await scoped.client.request('test.watch', { keys: ['agent:main:a'] })
  const { events } = gw.app
  events.publish('test.admin-only', { n: 1 }, { scope: 'operator.admin' })
  events.publish('test.tools', { n: 2 }, { requireCap: 'tool-events' })
  events.publish('agent', { runId: 'x', sessionKey: 'agent:main:b' }, { sessionKey: 'agent:main:b' })
  events.publish('agent', { runId: 'y', sessionKey: 'agent:main:a' }, { sessionKey: 'agent:main:a' })
  events.publish('sessions.changed', { sessionKey: 'agent:main:b' }, { sessionKey: 'agent:main:b' })
  events.publish('test.done', {})
  for (const c of [admin, reader, scoped]) await c.client.event('test.done')
  const names = (c: TestClient) => c.frames.filter((f) => f.type === 'event' && f.seq !== undefined && f.event !== 'presence' && f.event !== 'tick').map((f) => `${f.event as string}${f.payload?.runId !== undefined ? `:${f.payload.runId as string}` : ''}`)
  assert.deepEqual(names(admin.client), ['test.admin-only', 'agent:x', 'agent:y', 'sessions.changed', 'test.done'])
  assert.deepEqual(names(reader.client), ['test.tools', 'agent:x', 'agent:y', 'sessions.changed', 'test.done'])
  assert.deepEqual(names(scoped.client), ['agent:y', 'sessions.changed', 'test.done'])
  for (const c of [admin, reader, scoped]) assert.deepEqual(seqs(c.client), seqs(c.client).map((_s, i) => i + 1), 'filtered events consume no seq')
})

test('a slow consumer loses dropIfSlow events (seq gap) and is closed 1008 for the others', async (t) => {
  const gw = await build(t, { wsRpc: { maxBufferedBytes: 512 * 1024 } })
  const { client } = await join(t, gw.url, { token: gw.token })
  const raw = client.socket
  raw.pause()
  const blob = 'x'.repeat(256 * 1024)
  for (let i = 0; i < 200; i++) gw.app.events.publish('test.blob', { i, blob }, { dropIfSlow: true })
  raw.resume()
  // Once the backlog has drained, the next event goes through and shows the gap.
  let seen = -1
  while (seen !== client.frames.length) {
    seen = client.frames.length
    await sleep(100)
  }
  gw.app.events.publish('test.marker', { ok: true }, { dropIfSlow: true })
  await client.event('test.marker')
  const blobs = client.frames.filter((f) => f.event === 'test.blob')
  assert.ok(blobs.length > 0 && blobs.length < 200, `received ${blobs.length} of 200`)
  const got = seqs(client)
  const gaps = got.slice(1).filter((s, i) => s !== got[i]! + 1)
  assert.ok(gaps.length > 0, 'dropped events leave a seq gap')

  raw.pause()
  for (let i = 0; i < 200 && client.ws.readyState === 1; i++) gw.app.events.publish('test.blob', { i, blob })
  raw.resume()
  assert.deepEqual(await client.closed, { code: 1008, reason: 'slow consumer' })
  const other = await join(t, gw.url, { token: gw.token })
  assert.equal((await other.client.request('health')).ok, true)
})

test('a client that stops answering pings is cut off after the pong timeout', async (t) => {
  // Windows a busy host cannot miss: the healthy client has 1.5 s to answer each ping.
  const gw = await build(t, { wsRpc: { pingIntervalMs: 300, pongTimeoutMs: 1500 } })
  const { client: alive } = await join(t, gw.url, { token: gw.token })
  // Same handshake, on a socket that never answers pings (ws's public autoPong option).
  const mute = await TestClient.open(gw.url, { autoPong: false })
  let pinged = false
  mute.ws.on('ping', () => { pinged = true })
  const { nonce } = await mute.challenge()
  assert.equal((await mute.request('connect', connectParams({ token: gw.token }, nonce))).ok, true)
  assert.equal((await mute.closed).code, 1006)
  assert.ok(pinged, 'the gateway pinged it first')
  assert.equal(alive.ws.readyState, 1, 'the client that answers stays connected')
  assert.equal((await alive.request('health')).ok, true)
})

test('closing the gateway sends shutdown (with seq) and then closes 1012 "service restart"', async (t) => {
  const gw = await startTestGateway()
  t.after(() => gw.close())
  const a = await connectOk(gw.url, { token: gw.token })
  const pending = await TestClient.open(gw.url)
  const closing = gw.close()
  const shutdown = await a.client.event('shutdown')
  assert.deepEqual(shutdown.payload, { reason: 'gateway stopping' })
  assert.equal(typeof shutdown.seq, 'number')
  assert.deepEqual(await a.client.closed, { code: 1012, reason: 'service restart' })
  assert.deepEqual(await pending.closed, { code: 1012, reason: 'service restart' })
  await closing
})
