// 1,000 concurrent authenticated connections against one gateway: every
// handshake completes, every connection gets answers and broadcasts, and
// the whole run stays within seconds.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway } from './support/gateway.js'
import { connectOk, type TestClient } from './support/ws-client.js'

const N = 1000

test(`${N} concurrent connections handshake, call health and receive a broadcast`, { timeout: 60_000 }, async (t) => {
  const gw = await startTestGateway()
  t.after(() => gw.close())
  const started = Date.now()
  const clients: TestClient[] = []
  t.after(() => { for (const c of clients) c.close() })
  // Some are UI clients so presence churns too (coalesced into a few broadcasts).
  const results = await Promise.all(Array.from({ length: N }, async (_v, i) => {
    const ui = i % 50 === 0
    const { client, hello } = await connectOk(gw.url, { token: gw.token, scopes: ['operator.read'], ...(ui ? { clientId: 'openclaw-control-ui', mode: 'webchat', instanceId: `tab-${i}` } : {}) })
    clients.push(client)
    return hello.server.connId as string
  }))
  assert.equal(new Set(results).size, N, 'every connection has its own connId')
  const handshakeMs = Date.now() - started

  const statuses = await Promise.all(clients.map(async (c) => await c.request('status', {})))
  assert.ok(statuses.every((s) => s.ok === true))
  assert.equal(statuses[0]!.payload.connections.count, N)

  gw.app.events.publish('test.everyone', { hello: true })
  await Promise.all(clients.map(async (c) => await c.event('test.everyone', 10_000)))
  const elapsed = Date.now() - started
  t.diagnostic(`handshakes ${handshakeMs} ms, total ${elapsed} ms`)
  assert.ok(elapsed < 30_000, `took ${elapsed} ms`)
})
