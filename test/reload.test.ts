// Config reload on a real gateway process: hot changes apply without a
// restart, invalid edits are skipped (the running config stays), restart-worthy
// changes rebuild the gateway in-process, SIGHUP re-reads the file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baseConfig, freePort, makeHome, request, spawnGateway, writeConfig } from './support/spawn-gateway.js'
import { connectOk } from './support/ws-client.js'
import { classifyPath, planReload } from '../src/config/reload-plan.js'
import { diffPaths } from '../src/config/diff.js'

const TOKEN = 'reload-token-aaaaaaaaaaaa'

test('reload plan: longest prefix wins, unknown paths restart', () => {
  const classes: Record<string, string> = {
    'gateway.http.endpoints.chatCompletions.enabled': 'hot',
    'gateway.port': 'restart',
    'gateway.auth.mode': 'restart',
    'gateway.auth.token': 'hot',
    'agents.defaults.model': 'hot',
    'logging.level': 'hot',
    'meta.note': 'none',
    somethingNew: 'restart',
    // Hooks and heartbeats apply live; the hooks routes are registered under hooks.path at start.
    'hooks.enabled': 'hot',
    'hooks.mappings': 'hot',
    'hooks.token': 'hot',
    'hooks.path': 'restart',
    'agents.defaults.heartbeat.every': 'hot',
    'agents.entries.ops.heartbeat.activeHours.start': 'hot'
  }
  for (const [path, kind] of Object.entries(classes)) assert.equal(classifyPath(path), kind, path)
  assert.deepEqual(planReload('hybrid', ['gateway.port', 'agents.defaults.model']).action, 'restart')
  assert.deepEqual(planReload('hot', ['gateway.port', 'agents.defaults.model']), { action: 'swap', restartPaths: [], hotPaths: ['agents.defaults.model'], ignoredPaths: ['gateway.port'] })
  assert.equal(planReload('off', ['agents.defaults.model']).action, 'skip')
  assert.equal(planReload('restart', ['logging.level']).action, 'restart')
  assert.deepEqual(diffPaths({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1] }, d: { e: true } }), ['a.b', 'd.e'])
})

test('a running gateway applies hot edits, skips invalid ones and restarts for a port change', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  const config = (extra: Record<string, unknown> = {}) => baseConfig(home, { gateway: { auth: { token: TOKEN }, ...extra } })
  await writeConfig(home, config())
  const port = await freePort()
  const gw = spawnGateway(home, ['--port', String(port)])
  t.after(() => gw.kill())
  await gw.listening()
  const auth = { headers: { authorization: `Bearer ${TOKEN}` } }
  assert.equal((await request(port, '/v1/models', auth)).status, 200)

  // Hot: switch the OpenAI endpoints off.
  await writeConfig(home, config({ http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } } }))
  await gw.waitFor(/config hot reload applied \(gateway\.http\.endpoints/, 10_000)
  assert.equal((await request(port, '/v1/models', auth)).status, 404)

  // Invalid: refused with the reason, the running config stays.
  await writeConfig(home, '{ gateway: { mode: "local", port: "not a port" } }')
  await gw.waitFor(/config reload skipped \(invalid config\).*gateway\.port/, 10_000)
  assert.equal((await request(port, '/v1/models', auth)).status, 404)
  assert.equal((await request(port, '/healthz')).status, 200)

  // An unset ${VAR} is invalid too: the edit is skipped and the old token still works.
  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: '${RELOAD_TOKEN_UNSET}' } } }))
  await gw.waitFor(/config reload skipped \(invalid config\).*gateway\.auth\.token: environment variable RELOAD_TOKEN_UNSET is not set/, 10_000)
  assert.equal((await request(port, '/v1/models', auth)).status, 404, 'the old token still authenticates')
  assert.equal((await request(port, '/v1/models', { headers: { authorization: 'Bearer ${RELOAD_TOKEN_UNSET}' } })).status, 401)

  // Hot: rotate the token; the old one stops working at once.
  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: 'rotated-token-bbbbbbbbbbbb' } } }))
  await gw.waitFor(/config hot reload applied \(gateway\.auth\.token/, 10_000)
  assert.equal((await request(port, '/v1/models', auth)).status, 401)
  assert.equal((await request(port, '/v1/models', { headers: { authorization: 'Bearer rotated-token-bbbbbbbbbbbb' } })).status, 200)

  // Restart-worthy: a new port rebuilds the gateway in this process.
  const port2 = await freePort()
  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: TOKEN }, port: port2 } }))
  await gw.waitFor(/config change requires gateway restart \(gateway\.port/, 10_000)
  // --port on the command line still wins, so the rebuilt gateway comes back on the same port.
  await gw.waitFor(new RegExp(`restarting: config change[\\s\\S]*listening on ws://127\\.0\\.0\\.1:${port}`), 10_000)
  assert.equal((await request(port, '/v1/models', auth)).status, 200)
  assert.equal(gw.exit, undefined, 'same process')
})

test('SIGHUP re-reads the config and secrets.reload re-resolves secrets', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: TOKEN }, reload: { mode: 'off' } } }))
  const port = await freePort()
  const gw = spawnGateway(home, ['--port', String(port)])
  t.after(() => gw.kill())
  await gw.listening()
  const { client } = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.admin'] })
  t.after(() => { client.close() })
  const res = await client.request('secrets.reload', {})
  assert.deepEqual(res.payload, { ok: true, warningCount: 0 })

  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: TOKEN }, reload: { mode: 'hybrid' } }, logging: { level: 'debug' } }))
  gw.signal('SIGHUP')
  await gw.waitFor(/SIGHUP: config reload requested[\s\S]*config hot reload applied/, 10_000)
  assert.equal(gw.exit, undefined, 'SIGHUP does not stop the gateway')
})
