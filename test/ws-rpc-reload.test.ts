// A config swap applies to open sockets: a rotated secret closes the sockets
// that authenticated with it (4001), a narrowed origin policy closes browser
// sockets it no longer allows (1008); everyone else stays connected.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway, TEST_TOKEN } from './support/gateway.js'
import { connect, connectOk } from './support/ws-client.js'
import type { RuntimeConfig } from '../src/config/store.js'

function swap (store: { current: RuntimeConfig, swap: (r: RuntimeConfig, p: string[]) => void }, patch: (r: RuntimeConfig) => RuntimeConfig): void {
  store.swap(patch(store.current), ['test'])
}

test('rotating the shared token closes sockets that used it with 4001', async (t) => {
  const gw = await startTestGateway()
  t.after(() => gw.close())
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  swap(gw.app.configStore, (r) => ({ ...r, auth: { ...r.auth, token: 'a-brand-new-token-0000' } }))
  assert.deepEqual(await client.closed, { code: 4001, reason: 'gateway auth changed' })
  const { res, client: stale } = await connect(gw.url, { token: TEST_TOKEN })
  stale.close()
  assert.equal(res.ok, false, 'the old token no longer connects')
  const { client: fresh } = await connectOk(gw.url, { token: 'a-brand-new-token-0000', scopes: ['operator.read'] })
  fresh.close()
})

test('a config change that keeps the secret keeps the sockets', async (t) => {
  const gw = await startTestGateway()
  t.after(() => gw.close())
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { client.close() })
  swap(gw.app.configStore, (r) => ({ ...r, snapshot: { ...r.snapshot, config: { ...r.snapshot.config, logging: { level: 'debug' } } } }))
  const health = await client.request('health')
  assert.equal(health.ok, true)
})

test('removing an allowed origin closes the browser sockets it admitted with 1008', async (t) => {
  const gw = await startTestGateway({ config: { gateway: { controlUi: { allowedOrigins: ['https://ui.example.com'] } } } })
  t.after(() => gw.close())
  const headers = { origin: 'https://ui.example.com' }
  const { client: browser } = await connectOk(gw.url, { token: TEST_TOKEN, clientId: 'openclaw-control-ui', mode: 'ui', scopes: ['operator.read'] }, { headers })
  const { client: cli } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { cli.close() })
  swap(gw.app.configStore, (r) => ({ ...r, snapshot: { ...r.snapshot, config: { ...r.snapshot.config, gateway: { ...r.snapshot.config.gateway, controlUi: { allowedOrigins: [] } } } } }))
  assert.deepEqual(await browser.closed, { code: 1008, reason: 'origin not allowed' })
  assert.equal((await cli.request('health')).ok, true, 'a socket without Origin is untouched')
})
