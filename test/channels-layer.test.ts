// The channel layer around the Telegram plugin: per-account hot reload,
// channels.start / stop / logout and their scopes, SecretRef tokens, and the
// config check of an account's settings.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startHttpGateway, fakeProviderConfig } from './support/http-gateway.js'
import { startFakeTelegram } from './support/fake-telegram.js'
import { TEST_TOKEN } from './support/gateway.js'
import { connectOk } from './support/ws-client.js'
import { waitFor } from './support/wait.js'
import { makeHome, runCli } from './support/spawn-gateway.js'

test('accounts hot-reload one by one: a changed account restarts, the other keeps running', async (t) => {
  const a = await startFakeTelegram('111:token-of-a')
  const b = await startFakeTelegram('222:token-of-b')
  t.after(async () => { await a.close(); await b.close() })
  const telegram = (bAllow: number[]) => ({
    pollTimeoutSeconds: 1,
    dmPolicy: 'allowlist',
    accounts: {
      a: { botToken: a.token, apiRoot: a.apiRoot, allowFrom: [1] },
      b: { botToken: b.token, apiRoot: b.apiRoot, allowFrom: bAllow }
    }
  })
  const h = await startHttpGateway(t, { config: () => ({ channels: { telegram: telegram([]) } }) })
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  const accounts = async () => Object.fromEntries(((await client.request('channels.status', {})).payload.channelAccounts.telegram ?? [])
    .map((s: Record<string, any>) => [s.accountId, s]))
  await waitFor('both accounts connected', async () => { const s = await accounts(); return s.a?.connected === true && s.b?.connected === true })
  const before = await accounts()

  // allowlist: an unknown chat on b is dropped without a pairing code.
  b.pushMessage(2, 'hi')
  await waitFor('b to confirm the update', () => b.pending().length === 0)
  assert.equal(b.sent().length, 0)

  h.setConfig({ ...fakeProviderConfig(h.upstream), channels: { telegram: telegram([2]) } })
  // Each start of an account begins with getMe.
  const starts = (tg: typeof a) => tg.calls.filter((c) => c.method === 'getMe').length
  await waitFor('b restarted', () => starts(b) === 2)
  const after = await accounts()
  assert.equal(starts(a), 1, 'a kept running')
  assert.equal(after.a.lastStartAt, before.a.lastStartAt)
  assert.deepEqual(after.b.allowFrom, ['2'])
  b.pushMessage(2, 'now allowed')
  await waitFor('the reply on b', () => b.sent().some((m) => m.text === 'echo: now allowed'))
  a.pushMessage(1, 'still here')
  await waitFor('the reply on a', () => a.sent().some((m) => m.text === 'echo: still here'))
  assert.equal(a.sent().length, 1)
})

test('channels.stop / start / logout, with their scopes; a SecretRef token; invalid settings reported', async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  const h = await startHttpGateway(t, {
    env: { TG_TOKEN: tg.token },
    config: () => ({ channels: { telegram: { botToken: { source: 'env', provider: 'default', id: 'TG_TOKEN' }, apiRoot: tg.apiRoot, pollTimeoutSeconds: 1 } } })
  })
  const { client: admin } = await connectOk(h.gw.url, { token: TEST_TOKEN })
  const { client: reader } = await connectOk(h.gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { admin.close(); reader.close() })
  const status = async () => (await admin.request('channels.status', {})).payload.channelAccounts.telegram?.[0] ?? {}
  await waitFor('connected', async () => (await status()).connected === true)
  assert.equal((await status()).tokenSource, 'env')

  const denied = await reader.request('channels.stop', { channel: 'telegram' })
  assert.equal(denied.error?.code, 'FORBIDDEN')
  assert.equal((await reader.request('channels.status', {})).ok, true)
  const unknown = await admin.request('channels.stop', { channel: 'signal' })
  assert.equal(unknown.error?.message, 'unknown channel: signal')
  const extra = await admin.request('channels.start', { channel: 'telegram', force: true })
  assert.equal(extra.error?.code, 'INVALID_REQUEST')

  assert.deepEqual((await admin.request('channels.stop', { channel: 'telegram' })).payload, { channel: 'telegram', accountId: 'default', stopped: true })
  assert.equal((await status()).running, false)
  const polls = tg.calls.filter((c) => c.method === 'getUpdates').length
  tg.pushMessage(9, 'while stopped')
  assert.equal(tg.calls.filter((c) => c.method === 'getUpdates').length, polls, 'a stopped account does not poll')
  assert.deepEqual((await admin.request('channels.start', { channel: 'telegram' })).payload, { channel: 'telegram', accountId: 'default', started: true })
  await waitFor('the pairing answer after the restart', () => tg.sent().length === 1)
  assert.match(tg.sent()[0]!.text, /pairing code/)

  const logout = await admin.request('channels.logout', { channel: 'telegram' })
  assert.deepEqual(logout.payload, { channel: 'telegram', accountId: 'default', cleared: true, loggedOut: true })
  assert.equal((await status()).running, false)

  h.setConfig({ ...fakeProviderConfig(h.upstream), channels: { telegram: { botToken: tg.token, apiRoot: 'ftp://nope', pollTimeoutSeconds: 99 } } })
  await waitFor('the invalid settings reported', async () => /channels\.telegram\.apiRoot/.test(String((await status()).lastError)))
  const bad = await status()
  assert.equal(bad.running, false)
  const start = await admin.request('channels.start', { channel: 'telegram' })
  assert.match(start.error?.message ?? '', /cannot start: channels\.telegram\.apiRoot/)
})

test('openclaw channels status --probe shows each account; openclaw channels approve <code> lets a chat in', async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  const h = await startHttpGateway(t, { config: () => ({ channels: { telegram: { botToken: tg.token, apiRoot: tg.apiRoot, pollTimeoutSeconds: 1 } } }) })
  const home = await makeHome(t)
  const cli = async (...args: string[]) => await runCli(home, [...args, '--url', h.gw.url, '--token', TEST_TOKEN])
  await waitFor('polling', () => tg.calls.some((c) => c.method === 'getUpdates'))

  const status = await cli('channels', 'status', '--probe')
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, /^- Telegram default: enabled, configured, running, connected, mode:polling, bot:@test_bot, token:config, dm:pairing, works$/m)

  tg.pushMessage(31, 'hello', 'lin')
  await waitFor('the pairing code', () => tg.sent().length === 1)
  const code = /pairing code: ([A-Z0-9]{8})/.exec(tg.sent()[0]!.text)![1]!
  const missing = await cli('channels', 'approve', 'ZZZZ2222')
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no pending pairing request with code ZZZZ2222/)
  const approve = await cli('channels', 'approve', code.toLowerCase())
  assert.equal(approve.code, 0, approve.stderr)
  assert.equal(approve.stdout, 'Approved @lin (telegram default, peer 31); notification: sent\n')
  tg.pushMessage(31, 'and now', 'lin')
  await waitFor('the agent reply', () => tg.sent().some((m) => m.text === 'echo: and now'))
})

test('plugins.entries.telegram.enabled: false keeps the bundled channel unloaded', async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  const h = await startHttpGateway(t, {
    config: () => ({ plugins: { entries: { telegram: { enabled: false } } }, channels: { telegram: { botToken: tg.token, apiRoot: tg.apiRoot } } })
  })
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  assert.deepEqual((await client.request('channels.status', {})).payload.channelOrder, [])
  assert.deepEqual((await client.request('plugins.list', {})).payload.plugins, [])
  assert.equal(tg.calls.length, 0)

  h.setConfig({ ...fakeProviderConfig(h.upstream), channels: { telegram: { botToken: tg.token, apiRoot: tg.apiRoot, pollTimeoutSeconds: 1 } } })
  await waitFor('the bundled plugin loaded and polling', () => tg.calls.some((c) => c.method === 'getUpdates'))
  const plugins = (await client.request('plugins.list', {})).payload.plugins
  assert.deepEqual(plugins.map((p: Record<string, unknown>) => [p.id, p.origin, p.activated, p.channels]), [['telegram', 'bundled:telegram', true, ['telegram']]])
})
