// config.* over a real WebSocket against a gateway whose config lives in a
// temp file: reads are redacted, writes are guarded by the base hash,
// validated before anything touches the disk, written atomically, and
// reloaded live (or reported as needing a restart).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import JSON5 from 'json5'
import { startTestGateway, TEST_TOKEN, type TestGateway } from './support/gateway.js'
import { baseConfig, freePort, makeHome, spawnGateway, writeConfig } from './support/spawn-gateway.js'
import { connectOk, type TestClient, type Frame } from './support/ws-client.js'
import { REDACTED } from '../src/config/redact.js'
import { waitFor } from './support/wait.js'

const API_KEY = 'sk-local-provider-key-0123456789'
const HOOKS_TOKEN = 'hooks-token-abcdefghijklmnop'
const REMOTE_TOKEN = 'remote-token-qrstuvwxyz012345'
const REMOTE_PASSWORD = 'remote-password-6789abcdef'
const URL_PASSWORD = 'url-pa55word-in-remote-url'
const ENV_KEY = 'anthropic-key-from-the-environment'
const EXEC_ID = 'sk-live-abcdef1234567890abcdef'
const BOT_TOKEN = 'bot-token-for-a-channel-plugin-42'
const SECRETS = [TEST_TOKEN, API_KEY, HOOKS_TOKEN, REMOTE_TOKEN, REMOTE_PASSWORD, URL_PASSWORD, ENV_KEY, EXEC_ID, BOT_TOKEN]

const CONFIG = {
  gateway: {
    remote: {
      url: `wss://operator:${URL_PASSWORD}@remote.example.com`,
      token: { source: 'exec', provider: 'vault', id: EXEC_ID },
      password: REMOTE_PASSWORD
    }
  },
  models: {
    providers: {
      local: { baseUrl: 'http://127.0.0.1:9/v1', api: 'openai-completions', apiKey: API_KEY, models: [{ id: 'llama', maxTokens: 4096 }] },
      anthropic: { baseUrl: 'https://api.anthropic.com', api: 'anthropic-messages', apiKey: { source: 'env', provider: 'default', id: 'ANTHROPIC_API_KEY' } }
    }
  },
  hooks: { enabled: true, token: HOOKS_TOKEN },
  // Free-form: only the path names say what is secret here.
  channels: { telegram: { botToken: BOT_TOKEN, maxTokens: 5 } },
  secrets: { providers: { vault: { source: 'exec', command: '/bin/false' } } }
}

/** A `${NAME}` reference as it appears in config text. */
const envRef = (name: string) => `$${'{'}${name}}`

async function start (t: TestContext, extra: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> {
  const gw = await startTestGateway({ config: CONFIG, configFile: true, env: { ANTHROPIC_API_KEY: ENV_KEY, LOOKS_REDACTED: REDACTED }, ...extra })
  t.after(() => gw.close())
  return gw
}

async function admin (t: TestContext, gw: TestGateway, scopes = ['operator.admin']): Promise<{ client: TestClient, hello: Frame }> {
  const c = await connectOk(gw.url, { token: TEST_TOKEN, scopes })
  t.after(() => { c.client.close() })
  return c
}

async function ok (client: TestClient, method: string, params: unknown): Promise<Record<string, any>> {
  const res = await client.request(method, params)
  assert.equal(res.ok, true, `${method} failed: ${JSON.stringify(res.error)}`)
  return res.payload
}

async function fails (client: TestClient, method: string, params: unknown): Promise<Record<string, any>> {
  const res = await client.request(method, params)
  assert.equal(res.ok, false, `${method} should have failed`)
  return res.error
}

/** What must not change when a write is refused. */
async function diskState (gw: TestGateway) {
  const bak = await readFile(`${gw.configPath}.bak`, 'utf8').catch(() => null)
  return { file: await readFile(gw.configPath, 'utf8'), bak, applied: gw.app.configStore.current.snapshot.hash }
}

test('config.get redacts every secret in config and raw, and keeps SecretRefs readable', async (t) => {
  const gw = await start(t)
  const { client, hello } = await admin(t, gw)
  const got = await ok(client, 'config.get', {})
  assert.equal(got.exists, true)
  assert.equal(got.valid, true)
  assert.equal(got.path, gw.configPath)
  assert.equal(got.hash, got.configRevisionHash)
  assert.equal(got.appliedConfigHash, got.hash, 'the running config is the file')
  assert.equal(hello.snapshot.appliedConfigHash, got.hash, 'hello carries the applied hash')
  for (const m of ['config.get', 'config.schema', 'config.schema.lookup', 'config.set', 'config.patch', 'config.apply']) assert.ok(hello.features.methods.includes(m), m)
  assert.ok(hello.features.events.includes('config.changed'))
  const text = JSON.stringify(got)
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} leaked`)
  const c = got.config
  assert.equal(c.gateway.auth.token, REDACTED)
  assert.equal(c.gateway.remote.password, REDACTED)
  assert.equal(c.gateway.remote.url, REDACTED, 'URL credentials')
  assert.deepEqual(c.gateway.remote.token, { source: 'exec', provider: 'vault', id: REDACTED }, 'a SecretRef id that looks like a key')
  assert.equal(c.models.providers.local.apiKey, REDACTED)
  assert.deepEqual(c.models.providers.anthropic.apiKey, { source: 'env', provider: 'default', id: 'ANTHROPIC_API_KEY' }, 'an env SecretRef stays visible')
  assert.equal(c.models.providers.local.models[0].maxTokens, 4096, 'maxTokens is not a token')
  assert.equal(c.hooks.token, REDACTED)
  assert.deepEqual(c.channels.telegram, { botToken: REDACTED, maxTokens: 5 })
  assert.equal(c.secrets.providers.vault.command, '/bin/false', 'secret provider settings are not secrets')
  assert.equal(typeof got.raw, 'string', 'raw redacted in place')
  assert.deepEqual(JSON5.parse(got.raw), got.parsed)
  assert.equal(JSON5.parse(got.raw).hooks.token, REDACTED)
  assert.equal(got.runtimeConfig.models.providers.local.apiKey, REDACTED)

  const reader = await admin(t, gw, ['operator.read'])
  assert.equal((await ok(reader.client, 'config.get', {})).hash, got.hash, 'operator.read may read')
  assert.equal((await fails(reader.client, 'config.patch', { raw: '{}', baseHash: got.hash })).code, 'FORBIDDEN')
})

test('a patch with the hash is written, announced, and applied live', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const watcher = await admin(t, gw, ['operator.read'])
  const before = await ok(client, 'config.get', {})
  const original = await readFile(gw.configPath, 'utf8')
  const auth = { headers: { authorization: `Bearer ${TEST_TOKEN}` } }
  assert.equal((await fetch(`http://127.0.0.1:${gw.port}/v1/models`, auth)).status, 200)

  const raw = '{ gateway: { http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } } } }'
  const res = await ok(client, 'config.patch', { raw, baseHash: before.hash, note: 'switch the API off' })
  assert.equal(res.ok, true)
  assert.notEqual(res.hash, before.hash)
  assert.deepEqual(res.changedPaths, ['gateway.http.endpoints.chatCompletions.enabled', 'gateway.http.endpoints.responses.enabled'])
  assert.equal(res.reload.applied, 'live')
  assert.deepEqual(res.reload.hotPaths, res.changedPaths)
  assert.equal(res.restart, null)
  assert.equal(res.sentinel.persisted, false)
  assert.equal(res.config.models.providers.local.apiKey, REDACTED, 'the reply is redacted')

  const event = await watcher.client.event('config.changed')
  assert.deepEqual(event.payload, { hash: res.hash, changedPaths: res.changedPaths, method: 'config.patch', reload: 'live' })
  assert.ok(!JSON.stringify(event).includes(API_KEY))
  assert.equal((await fetch(`http://127.0.0.1:${gw.port}/v1/models`, auth)).status, 404, 'the change took effect')

  const after = await ok(client, 'config.get', {})
  assert.equal(after.hash, res.hash)
  assert.equal(after.appliedConfigHash, res.hash)
  assert.equal(after.config.gateway.http.endpoints.responses.enabled, false)
  // The untouched secrets are still on disk, the file is 0600 and the previous one is kept.
  const disk = JSON5.parse(await readFile(gw.configPath, 'utf8'))
  assert.equal(disk.models.providers.local.apiKey, API_KEY)
  assert.equal(disk.gateway.auth.token, TEST_TOKEN)
  assert.equal((await stat(gw.configPath)).mode & 0o777, 0o600)
  assert.equal((await stat(`${gw.configPath}.bak`)).mode & 0o777, 0o600)
  assert.equal(await readFile(`${gw.configPath}.bak`, 'utf8'), original)

  // The old hash is stale now.
  assert.equal((await fails(client, 'config.patch', { raw: '{ logging: { level: "debug" } }', baseHash: before.hash })).message,
    'config changed since last load; re-run config.get and retry')
})

test('sentinels sent back keep the stored secrets', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const got = await ok(client, 'config.get', {})
  const original = JSON5.parse(await readFile(gw.configPath, 'utf8'))

  // A whole redacted config round-trips: the Control UI's save.
  const set = await ok(client, 'config.set', { raw: got.raw, baseHash: got.hash })
  assert.deepEqual(set.changedPaths, [])
  assert.deepEqual(JSON5.parse(await readFile(gw.configPath, 'utf8')), original)

  // A patch that carries a sentinel next to a real change.
  const patch = { models: { providers: { local: { apiKey: REDACTED, models: [{ id: 'llama2' }] } } }, gateway: { remote: { token: { source: 'exec', provider: 'vault', id: REDACTED } } } }
  const res = await ok(client, 'config.patch', { raw: JSON.stringify(patch), baseHash: set.hash })
  assert.deepEqual(res.changedPaths, ['models.providers.local.models'])
  const disk = JSON5.parse(await readFile(gw.configPath, 'utf8'))
  assert.equal(disk.models.providers.local.apiKey, API_KEY)
  assert.equal(disk.gateway.remote.token.id, EXEC_ID)
  assert.deepEqual(disk.models.providers.local.models, [{ id: 'llama2' }])
})

test('refused writes name the path and leave the file, the backup and the running config alone', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const before = await diskState(gw)
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['type error', { raw: '{ gateway: { port: "eighty" } }' }, /^invalid config: gateway\.port: /],
    ['unknown key', { raw: '{ gateway: { bogus: true } }' }, /^invalid config: gateway\.bogus: unknown key$/],
    ['path outside the schema', { raw: '{ nowhere: { deeper: 1 } }' }, /^invalid config: nowhere: unknown key$/],
    ['null on a required key', { raw: '{ models: { providers: { local: { baseUrl: null } } } }' }, /^invalid config: models\.providers\.local\.baseUrl: required key is missing$/],
    ['sentinel with no stored value', { raw: `{ gateway: { auth: { password: "${REDACTED}" } } }` }, /^invalid config: gateway\.auth\.password: redaction sentinel/],
    ['gateway credential that resolves to the sentinel', { raw: `{ gateway: { auth: { password: "${envRef('LOOKS_REDACTED')}" } } }` }, /^invalid config: gateway\.auth\.password: gateway credential is a redaction sentinel/],
    ['sentinel on a plain key', { raw: `{ logging: { file: "${REDACTED}" } }` }, /^invalid config: logging\.file: redaction sentinel/],
    ['malformed JSON5', { raw: '{ gateway: ' }, /^invalid config: malformed JSON5: /],
    ['not an object', { raw: '[1, 2]' }, /^invalid config: config\.patch raw must be a JSON5 object/],
    ['over 1 MB', { raw: `{ meta: { pad: "${'x'.repeat(1024 * 1024)}" } }` }, /^config raw is too large \(\d+ bytes; the limit is 1048576\)$/],
    ['no base hash', { raw: '{ logging: { level: "debug" } }', baseHash: undefined }, /^config base hash required; re-run config\.get and retry$/],
    ['stale base hash', { raw: '{ logging: { level: "debug" } }', baseHash: 'f'.repeat(64) }, /^config changed since last load; re-run config\.get and retry$/]
  ]
  for (const [name, params, message] of cases) {
    const err = await fails(client, 'config.patch', { baseHash: hash, ...params })
    assert.equal(err.code, 'INVALID_REQUEST', name)
    assert.match(err.message, message, name)
    if (message.source.startsWith('^invalid config: ') && !name.startsWith('malformed')) {
      assert.ok(Array.isArray(err.details.issues) && typeof err.details.issues[0].path === 'string', `${name}: details.issues`)
    }
    assert.deepEqual(await diskState(gw), before, `${name}: nothing written, nothing applied`)
  }
  // config.set checks the whole file the same way.
  const err = await fails(client, 'config.set', { raw: '{ gateway: { mode: "local", reload: { mode: "sometimes" } } }', baseHash: hash })
  assert.match(err.message, /^invalid config: gateway\.reload\.mode: must be one of/)
  assert.deepEqual(await diskState(gw), before)
})

test('config.get passes on the loader warnings with their path; an unset variable is refused before writing', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const before = await diskState(gw)
  const err = await fails(client, 'config.patch', { raw: `{ agents: { defaults: { workspace: "${envRef('UNSET_WORKSPACE')}/w" } } }`, baseHash: hash })
  assert.equal(err.message, 'invalid config: agents.defaults.workspace: environment variable UNSET_WORKSPACE is not set')
  assert.deepEqual(await diskState(gw), before)
  await ok(client, 'config.patch', { raw: '{ logging: { redactSensitive: "tools" } }', baseHash: hash })
  const got = await ok(client, 'config.get', {})
  assert.deepEqual(got.warnings.find((w: { path?: string }) => w.path === 'logging.redactSensitive'), { path: 'logging.redactSensitive', message: 'logging.redactSensitive is not supported yet and has no effect' })
})

test('an edit on disk after config.get makes the patch fail and survives', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const edited = `${await readFile(gw.configPath, 'utf8')}\n// edited by hand\n`
  await writeFile(gw.configPath, edited)
  const err = await fails(client, 'config.patch', { raw: '{ logging: { level: "debug" } }', baseHash: hash })
  assert.equal(err.message, 'config changed since last load; re-run config.get and retry')
  assert.equal(await readFile(gw.configPath, 'utf8'), edited)
})

test('two patches on one base hash: exactly one wins', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const [a, b] = await Promise.all([
    client.request('config.patch', { raw: '{ logging: { level: "debug" } }', baseHash: hash }),
    client.request('config.patch', { raw: '{ logging: { level: "warn" } }', baseHash: hash })
  ])
  const winners = [a, b].filter((r) => r.ok === true)
  const losers = [a, b].filter((r) => r.ok !== true)
  assert.equal(winners.length, 1)
  assert.equal(losers[0].error.message, 'config changed since last load; re-run config.get and retry')
  const level = JSON5.parse(await readFile(gw.configPath, 'utf8')).logging.level
  assert.equal(level, winners[0] === a ? 'debug' : 'warn')
})

test('a patch that changes nothing writes nothing', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const before = await diskState(gw)
  const res = await ok(client, 'config.patch', { raw: '{ hooks: { enabled: true } }', baseHash: hash })
  assert.equal(res.noop, true)
  assert.deepEqual(res.changedPaths, [])
  assert.equal(res.hash, hash)
  assert.deepEqual(await diskState(gw), before)
  assert.equal(before.bak, null, 'no backup churn')
})

test('a restart-class change is reported as a restart; config.get shows it pending', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const restarts: Array<{ paths: string[] }> = []
  gw.app.gateway.events.on('restart-request', (r) => { restarts.push(r) })
  const { hash } = await ok(client, 'config.get', {})
  const res = await ok(client, 'config.apply', {
    raw: JSON.stringify({ ...CONFIG, gateway: { ...CONFIG.gateway, mode: 'local', auth: { token: TEST_TOKEN }, bind: 'lan' } }),
    baseHash: hash,
    sessionKey: 'agent:main:main',
    note: 'bind to the LAN'
  })
  assert.equal(res.reload.applied, 'restart')
  assert.deepEqual(res.reload.restartPaths, ['gateway.bind'])
  assert.deepEqual(res.restart, { reason: 'config change', paths: ['gateway.bind'], delayMs: 0 })
  assert.deepEqual(res.sentinel.payload.sessionKey, 'agent:main:main')
  // The restart waits for the reply to go out: the caller learns what happens before its socket closes.
  await waitFor('the restart request', () => restarts.length > 0)
  assert.deepEqual(restarts.map((r) => r.paths), [['gateway.bind']], 'the server was asked to restart')
  // This in-process gateway has no server to restart it: the file is ahead of the running config.
  const got = await ok(client, 'config.get', {})
  assert.equal(got.configRevisionHash, res.hash)
  assert.notEqual(got.appliedConfigHash, res.hash)
  assert.equal(got.config.gateway.bind, 'lan')
  assert.equal(got.runtimeConfig.gateway.bind, undefined)
})

test('config.patch honours restartDelayMs: the restart is asked for that much later, not at the reply', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const restarts: number[] = []
  gw.app.gateway.events.on('restart-request', () => { restarts.push(Date.now()) })
  const sent = Date.now()
  const res = await ok(client, 'config.patch', { raw: '{ gateway: { bind: "lan" } }', baseHash: (await ok(client, 'config.get', {})).hash, restartDelayMs: 1500 })
  assert.deepEqual(res.restart, { reason: 'config change', paths: ['gateway.bind'], delayMs: 1500 })
  assert.deepEqual(restarts, [], 'not yet: the delay has not passed')
  await waitFor('the delayed restart request', () => restarts.length > 0)
  assert.ok(restarts[0]! - sent >= 1500, `asked ${restarts[0]! - sent} ms after the write, not before the delay`)
})

test('config.patch rotating the caller\'s own token answers first, then closes that socket with 4001', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const next = 'rotated-token-0123456789abcdef'
  const res = await ok(client, 'config.patch', { raw: JSON.stringify({ gateway: { auth: { token: next } } }), baseHash: (await ok(client, 'config.get', {})).hash })
  assert.equal(res.reload.applied, 'live')
  assert.deepEqual(res.reload.hotPaths, ['gateway.auth.token'])
  assert.deepEqual(await client.closed, { code: 4001, reason: 'gateway auth changed' })
  await connectOk(gw.url, { token: next, scopes: ['operator.read'] }).then(({ client: c }) => { c.close() })
})

test('reload mode off still applies RPC writes; mode hot leaves restart-class paths pending', async (t) => {
  const off = await start(t, { config: { ...CONFIG, gateway: { ...CONFIG.gateway, reload: { mode: 'off' } } } })
  const a = await admin(t, off)
  const res = await ok(a.client, 'config.patch', { raw: '{ logging: { level: "debug" } }', baseHash: (await ok(a.client, 'config.get', {})).hash })
  assert.deepEqual(res.reload, { applied: 'live', hotPaths: ['logging.level'], restartPaths: [] })
  assert.equal(off.app.configStore.config.logging?.level, 'debug')

  const hot = await start(t, { config: { ...CONFIG, gateway: { ...CONFIG.gateway, reload: { mode: 'hot' } } } })
  const b = await admin(t, hot)
  const raw = '{ gateway: { bind: "lan" }, logging: { level: "warn" } }'
  const mixed = await ok(b.client, 'config.patch', { raw, baseHash: (await ok(b.client, 'config.get', {})).hash })
  assert.deepEqual(mixed.reload, { applied: 'pending-restart', hotPaths: ['logging.level'], restartPaths: ['gateway.bind'] })
  assert.equal(hot.app.configStore.config.logging?.level, 'warn', 'the hot part applied')
})

test('rotating the gateway token through config.patch closes the caller with 4001; the new token works', { timeout: 20_000 }, async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const rotated = 'rotated-by-rpc-0123456789abcdef'
  client.send({ type: 'req', id: 'rotate', method: 'config.patch', params: { raw: JSON.stringify({ gateway: { auth: { token: rotated } } }), baseHash: hash } })
  // The swap closes every socket that used the old token before the reply could go out.
  assert.deepEqual(await client.closed, { code: 4001, reason: 'gateway auth changed' })
  assert.equal(JSON5.parse(await readFile(gw.configPath, 'utf8')).gateway.auth.token, rotated)
  const again = await connectOk(gw.url, { token: rotated, scopes: ['operator.read'] })
  t.after(() => { again.client.close() })
  const got = await ok(again.client, 'config.get', {})
  assert.equal(got.appliedConfigHash, got.hash)
  assert.equal(got.config.gateway.auth.token, REDACTED)
})

test('a write whose secrets do not resolve is written and reported as failed', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  const { hash } = await ok(client, 'config.get', {})
  const raw = '{ models: { providers: { local: { apiKey: { source: "env", provider: "default", id: "MISSING_KEY" } } } } }'
  const res = await ok(client, 'config.patch', { raw, baseHash: hash })
  assert.equal(res.reload.applied, 'failed')
  assert.match(res.reload.error, /MISSING_KEY/)
  assert.equal(JSON5.parse(await readFile(gw.configPath, 'utf8')).models.providers.local.apiKey.id, 'MISSING_KEY')
  const health = await ok(client, 'health', { probe: true })
  assert.equal(health.secrets.status, 'degraded')
})

test('config writes are rate-limited per method and client', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw)
  // Stale-hash patches are refused after the budget is spent; the 31st is not even looked at.
  for (let i = 0; i < 30; i++) {
    const err = await fails(client, 'config.patch', { raw: '{}', baseHash: 'stale' })
    assert.equal(err.code, 'INVALID_REQUEST', `write ${i + 1}`)
  }
  const limited = await fails(client, 'config.patch', { raw: '{}', baseHash: 'stale' })
  assert.equal(limited.code, 'UNAVAILABLE')
  assert.equal(limited.retryable, true)
  assert.ok(limited.retryAfterMs > 0 && limited.retryAfterMs <= 60_000)
  assert.match(limited.message, /^rate limit exceeded for config\.patch; retry after \d+s$/)
  assert.deepEqual(limited.details, { method: 'config.patch', limit: '30 per 60s' })
  // Per method: config.set still has its own budget.
  assert.equal((await fails(client, 'config.set', { raw: '{}', baseHash: 'stale' })).code, 'INVALID_REQUEST')
  // Per client: another connection has its own.
  const other = await admin(t, gw)
  assert.equal((await fails(other.client, 'config.patch', { raw: '{}', baseHash: 'stale' })).code, 'INVALID_REQUEST')
})

test('the write budget frees up as the window slides', async (t) => {
  let now = 1_000_000
  const gw = await start(t, { configRpc: { writeLimit: { max: 2, windowMs: 60_000 } }, now: () => now })
  const { client } = await admin(t, gw)
  await fails(client, 'config.set', { raw: '{}', baseHash: 'stale' })
  await fails(client, 'config.set', { raw: '{}', baseHash: 'stale' })
  const limited = await fails(client, 'config.set', { raw: '{}', baseHash: 'stale' })
  assert.equal(limited.code, 'UNAVAILABLE')
  assert.equal(limited.retryAfterMs, 60_000)
  now += 60_000
  assert.equal((await fails(client, 'config.set', { raw: '{}', baseHash: 'stale' })).code, 'INVALID_REQUEST')
})

test('config.schema describes keys, secrets and restarts; lookup walks one level', async (t) => {
  const gw = await start(t)
  const { client } = await admin(t, gw, ['operator.read'])
  const doc = await ok(client, 'config.schema', {})
  assert.equal(doc.schema.type, 'object')
  assert.equal(doc.schema.additionalProperties, false)
  assert.equal(doc.version, '0.0.0-test')
  assert.ok(!Number.isNaN(Date.parse(doc.generatedAt)))
  assert.equal(doc.uiHints['gateway.auth.token'].label, 'Gateway token')
  assert.equal(doc.uiHints['gateway.auth.token'].sensitive, true)
  assert.equal(doc.uiHints['gateway.auth.token'].restart, undefined, 'a rotated token applies live')
  assert.equal(doc.uiHints['models.providers.*.apiKey'].sensitive, true)
  assert.equal(doc.uiHints['hooks.token'].sensitive, true)
  assert.equal(doc.uiHints['gateway.remote.password'].sensitive, true)
  assert.equal(doc.uiHints['gateway.port'].restart, true)
  assert.equal(doc.uiHints['gateway.port'].label, 'Port')
  assert.equal(doc.uiHints['gateway.bind'].restart, true)
  assert.equal(doc.uiHints['gateway.auth']?.restart, undefined, 'the token beneath applies live')
  assert.equal(doc.uiHints['gateway.controlUi']?.restart, undefined)
  assert.equal(doc.uiHints['gateway.controlUi.basePath'].restart, true)
  assert.equal(doc.uiHints['plugins.entries.*']?.restart, undefined, 'plugins reload live')
  assert.equal(doc.uiHints['gateway.http.endpoints.chatCompletions.enabled'].restart, undefined)
  assert.equal(doc.uiHints['secrets.providers.*'], undefined, 'secret providers are settings')
  assert.equal(doc.uiHints['models.providers.*.models[].maxTokens'], undefined)

  const auth = await ok(client, 'config.schema.lookup', { path: 'gateway.auth' })
  assert.equal(auth.schema.type, 'object')
  assert.equal(auth.schema.properties, undefined, 'shallow')
  const token = auth.children.find((c: Record<string, unknown>) => c.key === 'token')
  assert.deepEqual({ ...token, hint: undefined }, { key: 'token', path: 'gateway.auth.token', type: ['string', 'object'], required: false, hasChildren: true, reloadKind: 'hot', hint: undefined, hintPath: 'gateway.auth.token' })
  assert.equal(token.hint.sensitive, true)
  const key = await ok(client, 'config.schema.lookup', { path: 'models.providers.local.apiKey' })
  assert.equal(key.hintPath, 'models.providers.*.apiKey')
  assert.equal(key.hint.sensitive, true)
  const port = await ok(client, 'config.schema.lookup', { path: 'gateway.port' })
  assert.equal(port.reloadKind, 'restart')
  assert.equal(port.schema.maximum, 65535)
  const models = await ok(client, 'config.schema.lookup', { path: 'models.providers.*.models[0]' })
  assert.deepEqual(models.children.filter((c: { required: boolean }) => c.required).map((c: { key: string }) => c.key), ['id'])

  const miss = await fails(client, 'config.schema.lookup', { path: 'gateway.nowhere' })
  assert.deepEqual([miss.code, miss.message], ['INVALID_REQUEST', 'config schema path not found'])
  const bad = await fails(client, 'config.schema.lookup', { path: 'gateway auth' })
  assert.match(bad.message, /^invalid config\.schema\.lookup params/)
})

test('a port change through config.patch restarts a real gateway in place', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, baseConfig(home, { gateway: { auth: { token: TEST_TOKEN } } }))
  const port = await freePort()
  const gw = spawnGateway(home, ['--port', String(port)])
  t.after(() => gw.kill())
  await gw.listening()
  const url = `ws://127.0.0.1:${port}`
  const { client } = await connectOk(url, { token: TEST_TOKEN, scopes: ['operator.admin'] })
  t.after(() => { client.close() })
  const { hash } = await ok(client, 'config.get', {})
  const res = await ok(client, 'config.patch', { raw: JSON.stringify({ gateway: { port: await freePort() } }), baseHash: hash })
  assert.equal(res.reload.applied, 'restart')
  assert.deepEqual(res.reload.restartPaths, ['gateway.port'])
  assert.deepEqual((await client.closed).code, 1012, 'the socket closes for the restart')
  // --port still wins, so the rebuilt gateway comes back on the same port, on the new file.
  await gw.waitFor(new RegExp(`config written by config\\.patch[\\s\\S]*restarting: config change[\\s\\S]*listening on ws://127\\.0\\.0\\.1:${port}`), 20_000)
  const again = await connectOk(url, { token: TEST_TOKEN, scopes: ['operator.admin'] })
  t.after(() => { again.client.close() })
  assert.equal(again.hello.snapshot.appliedConfigHash, res.hash)
  const got = await ok(again.client, 'config.get', {})
  assert.equal(got.configRevisionHash, got.appliedConfigHash, 'nothing pending')
  assert.equal((await stat(home.configPath)).mode & 0o777, 0o600)
  assert.equal(gw.exit, undefined, 'same process')
})
