// The Telegram channel end to end: a fake Bot API (test/support/fake-telegram.ts)
// on port 0, the bundled plugin polling it with real fetch calls, the agent
// answering through the fake LLM upstream, and the WS channels.* methods.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js'
import { TEST_TOKEN } from './support/gateway.js'
import { connectOk, type Frame } from './support/ws-client.js'
import { waitFor } from './support/wait.js'

const CHAT = 5550001

interface Setup { h: HttpGateway, tg: FakeTelegram, sleeps: number[], rpc: (method: string, params?: unknown) => Promise<Frame> }

/** Backoff waits are recorded; `gate` (when set) holds each one until the test releases it. */
interface SleepControl { sleeps: number[], gate?: () => Promise<void> }

async function setup (t: TestContext, telegram: (tg: FakeTelegram) => Record<string, unknown>, opts: { tg?: FakeTelegram, home?: string, sleep?: SleepControl } = {}): Promise<Setup> {
  const tg = opts.tg ?? await startFakeTelegram()
  if (opts.tg === undefined) t.after(() => tg.close())
  const control = opts.sleep ?? { sleeps: [] }
  const h = await startHttpGateway(t, {
    captureLogs: true,
    ...(opts.home !== undefined ? { home: opts.home } : {}),
    config: () => ({ channels: { telegram: { botToken: tg.token, apiRoot: tg.apiRoot, pollTimeoutSeconds: 1, ...telegram(tg) } } }),
    channels: {
      sleep: async (ms) => {
        control.sleeps.push(ms)
        await control.gate?.()
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  })
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  return { h, tg, sleeps: control.sleeps, rpc: async (method, params) => await client.request(method, params) }
}

async function account (s: Setup): Promise<Record<string, any>> {
  const res = await s.rpc('channels.status', {})
  assert.equal(res.ok, true, JSON.stringify(res.error))
  return res.payload.channelAccounts.telegram?.[0] ?? {}
}

const userTexts = async (h: HttpGateway, key: string): Promise<string[]> =>
  (await h.gw.app.sessions.history(key, { limit: 100 })).filter((m) => m.role === 'user')
    .map((m) => typeof m.content === 'string' ? m.content : m.content.map((p: any) => p.text ?? '').join(''))

test('a conversation: inbound message → agent → reply in the chat, typing first, long replies split', async (t) => {
  const s = await setup(t, () => ({ allowFrom: [CHAT] }))
  s.tg.pushMessage(CHAT, 'hello there')
  await waitFor('the reply', () => s.tg.sent().length === 1)
  assert.deepEqual(s.tg.sent()[0], { chat_id: String(CHAT), text: 'echo: hello there', link_preview_options: { is_disabled: true } })
  const methods = s.tg.calls.map((c) => c.method)
  assert.ok(methods.indexOf('sendChatAction') < methods.indexOf('sendMessage'), 'typing is shown before the reply')
  assert.equal(s.tg.calls.find((c) => c.method === 'sendChatAction')?.body.action, 'typing')
  assert.deepEqual(await userTexts(s.h, `agent:main:telegram:${CHAT}`), ['hello there'])

  // 4,096 is Telegram's limit: a longer reply goes out as several messages, nothing lost.
  const long = 'word '.repeat(1000).trim()
  s.tg.pushMessage(CHAT, long)
  await waitFor('the long reply', () => s.tg.sent().length >= 3)
  const parts = s.tg.sent().slice(1).map((m) => m.text)
  assert.equal(parts.length, 2)
  assert.ok(parts.every((p) => p.length <= 4096))
  assert.equal(parts.join(' '), `echo: ${long}`)

  const acc = await account(s)
  assert.equal(acc.running, true)
  assert.equal(acc.connected, true)
  assert.equal(typeof acc.lastConnectedAt, 'number', 'the Control UI shows when it connected')
  assert.equal(typeof acc.lastInboundAt, 'number')
  assert.equal(acc.mode, 'polling')
  assert.equal(acc.tokenSource, 'config')
  assert.deepEqual(acc.bot, { id: 4242, username: 'test_bot' })
  const health = await s.rpc('health', {})
  assert.equal(health.payload.channels.telegram.running, true)
  assert.deepEqual(health.payload.channelOrder, ['telegram'])
  assert.ok(!JSON.stringify(acc).includes(s.tg.token), 'the bot token is never reported')
  assert.ok(!JSON.stringify(s.h.gw.logs).includes(s.tg.token), 'nor logged')
})

test('an unknown chat is denied and gets a pairing code; approving it lets the chat in', async (t) => {
  const s = await setup(t, () => ({}))
  s.tg.pushMessage(77, 'let me in', 'grace')
  await waitFor('the pairing message', () => s.tg.sent().length === 1)
  const code = /pairing code: ([A-Z0-9]{8})/.exec(s.tg.sent()[0]!.text)?.[1]
  assert.ok(code !== undefined, s.tg.sent()[0]!.text)
  assert.match(s.tg.sent()[0]!.text, new RegExp(`openclaw channels approve ${code}`))
  // A second message before approval: same request, no second code, still no agent run.
  s.tg.pushMessage(77, 'hello?', 'grace')
  await waitFor('the second update to be handled', () => s.tg.pending().length === 0)
  assert.equal(s.tg.sent().length, 1)
  assert.equal(s.h.upstream.requests.length, 0, 'a denied chat never reaches the agent')

  // Another unknown chat asks; the operator dismisses that request.
  s.tg.pushMessage(78, 'me too', 'mallory')
  await waitFor('the second code', () => s.tg.sent().length === 2)
  const other = /pairing code: ([A-Z0-9]{8})/.exec(s.tg.sent()[1]!.text)![1]!
  const dismissed = await s.rpc('channels.pairing.dismiss', { channel: 'telegram', accountId: 'default', requestId: other })
  assert.deepEqual(dismissed.payload, { requestId: other, senderId: '78' })
  assert.equal((await s.rpc('channels.pairing.dismiss', { channel: 'telegram', accountId: 'default', requestId: other })).error?.message, 'pending DM access request no longer exists')

  const list = await s.rpc('channels.pairing.list', {})
  assert.equal(list.ok, true, JSON.stringify(list.error))
  assert.equal(list.payload.requests.length, 1)
  assert.deepEqual({ ...list.payload.requests[0], createdAt: 0, lastSeenAt: 0, expiresAt: 0 }, {
    requestId: code, channel: 'telegram', channelLabel: 'Telegram', accountId: 'default', senderId: '77', senderLabel: '@grace', createdAt: 0, lastSeenAt: 0, expiresAt: 0, notifySupported: true
  })
  const wrong = await s.rpc('channels.pairing.approve', { channel: 'telegram', accountId: 'default', requestId: 'NOPE2345' })
  assert.equal(wrong.error?.message, 'pending DM access request no longer exists')

  const approved = await s.rpc('channels.pairing.approve', { channel: 'telegram', accountId: 'default', requestId: code!.toLowerCase(), notify: true })
  assert.deepEqual(approved.payload, { requestId: code, senderId: '77', notification: 'sent', commandOwnerBootstrap: 'not-requested' })
  assert.match(s.tg.sent()[2]!.text, /approved/)
  s.tg.pushMessage(77, 'now?', 'grace')
  await waitFor('the agent reply', () => s.tg.sent().some((m) => m.text === 'echo: now?'))
  assert.deepEqual(await userTexts(s.h, 'agent:main:telegram:77'), ['now?'])
})

test('a restart mid-conversation neither repeats nor loses a message', async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ocgw-chan-'))
  t.after(() => rm(home, { recursive: true, force: true }))
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  const key = `agent:main:telegram:${CHAT}`

  const first = await setup(t, () => ({ allowFrom: [CHAT] }), { tg, home })
  tg.pushMessage(CHAT, 'one')
  await waitFor('the first reply', () => tg.sent().length === 1)
  // A run in progress when the gateway stops: its message is recorded, its reply is lost with the run.
  first.h.upstream.enqueue({ type: 'sse', frames: [], after: 'hang' })
  tg.pushMessage(CHAT, 'two')
  await waitFor('"two" recorded', async () => (await userTexts(first.h, key)).includes('two'))
  // "three" waits behind that run: accepted (Telegram confirmed it) but maybe not in the transcript yet.
  tg.pushMessage(CHAT, 'three')
  await waitFor('"three" confirmed to Telegram', () => tg.pending().length === 0)
  await first.h.gw.close()
  // A crash after Telegram was answered but before the transcript had the message leaves it open in the inbox.
  await appendFile(path.join(home, 'state', 'channels', 'telegram', 'default', 'inbox.jsonl'),
    `${JSON.stringify({ seq: 99, peer: String(CHAT), text: 'accepted, then a crash', senderLabel: '@ada', at: 0 })}\n`)
  tg.pushMessage(CHAT, 'four')

  const second = await setup(t, () => ({ allowFrom: [CHAT] }), { tg, home })
  await waitFor('the reply to "four"', () => tg.sent().some((m) => m.text === 'echo: four'))
  await waitFor('Telegram to hold nothing unconfirmed', () => tg.pending().length === 0)
  await waitFor('the reply to the message left open', () => tg.sent().some((m) => m.text === 'echo: accepted, then a crash'))
  assert.deepEqual(await userTexts(second.h, key), ['one', 'two', 'three', 'accepted, then a crash', 'four'])
  const texts = tg.sent().map((m) => m.text)
  assert.deepEqual(texts.filter((x) => x !== 'echo: three'), ['echo: one', 'echo: accepted, then a crash', 'echo: four'])
  assert.ok(texts.filter((x) => x === 'echo: three').length <= 1)
})

test('a bad token: reported by status and probe, never retried in a loop', async (t) => {
  const s = await setup(t, () => ({ botToken: '999:WRONG-secret-token-value' }))
  await waitFor('the account to stop', async () => typeof (await account(s)).lastError === 'string')
  const acc = await account(s)
  assert.equal(acc.running, false)
  assert.match(acc.lastError, /getMe: the bot token was refused \(401 Unauthorized\)/)
  const probed = await s.rpc('channels.status', { probe: true })
  const snap = probed.payload.channelAccounts.telegram[0]
  assert.equal(snap.probe.ok, false)
  assert.equal(snap.probe.status, 401)
  assert.equal(typeof snap.lastProbeAt, 'number')
  assert.equal(probed.payload.channels.telegram.configured, true)
  assert.ok(!JSON.stringify(probed.payload).includes('WRONG-secret'), 'the token is not echoed')
  assert.ok(!JSON.stringify(s.h.gw.logs).includes('WRONG-secret'), 'nor logged')
  assert.ok(s.h.gw.logs.some((l) => l.channel === 'telegram' && /bot token was refused/.test(String(l.msg))), 'the failure is logged')
  assert.equal(s.tg.calls.filter((c) => c.method === 'getMe').length, 2, 'one start attempt and one probe')
  assert.equal(s.sleeps.length, 0)
  const start = await s.rpc('channels.start', { channel: 'telegram' })
  assert.equal(start.ok, true)
})

test('429 with retry_after: waits what Telegram says, then delivers', async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  tg.fault('getUpdates', { type: 'json', status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } })
  tg.fault('sendMessage', { type: 'json', status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } })
  const s = await setup(t, () => ({ allowFrom: [CHAT] }), { tg })
  tg.pushMessage(CHAT, 'ping')
  await waitFor('the reply', () => tg.sent().some((m) => m.text === 'echo: ping'))
  assert.deepEqual(s.sleeps, [7000, 3000])
  assert.equal(tg.sent().filter((m) => m.text === 'echo: ping').length, 1)
})

test('bad input: odd updates, HTML, a hang, a reset and a 5xx are reported, retried with backoff, and no message is lost or doubled', async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  let release: (() => void) | undefined
  const control: SleepControl = { sleeps: [] }
  tg.fault('getUpdates', { type: 'html', status: 502 })
  tg.fault('getUpdates', { type: 'destroy' })
  tg.fault('getUpdates', { type: 'hang' })
  tg.fault('getUpdates', { type: 'json', status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } })
  tg.fault('sendMessage', { type: 'json', status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } })
  // The first backoff is held until the status has been looked at.
  control.gate = async () => {
    if (control.sleeps.length === 1) await new Promise<void>((resolve) => { release = resolve })
  }
  const s = await setup(t, () => ({ allowFrom: [CHAT], requestTimeoutMs: 3000 }), { tg, sleep: control })
  await waitFor('the first backoff', () => release !== undefined)
  const during = await account(s)
  assert.equal(during.connected, false)
  assert.match(during.lastError, /getUpdates: the Bot API answered 502 with a body that is not JSON \(text\/html\)/)
  assert.equal(during.running, true, 'a failing poll is retried, the account keeps running')
  release!()

  tg.pushUpdate({ edited_message: { chat: { id: CHAT }, text: 'edited' } })
  tg.pushUpdate({ message: { text: 'no chat' } })
  tg.pushUpdate({ message: { chat: { id: CHAT }, sticker: { file_id: 'x' } } })
  tg.pushUpdate({ callback_query: { id: '1' } })
  tg.pushMessage(CHAT, 'the real one')
  await waitFor('the reply', () => tg.sent().length === 1)
  await waitFor('every update confirmed', () => tg.pending().length === 0)
  assert.deepEqual(tg.sent().map((m) => m.text), ['echo: the real one'])
  // HTML, reset, hang (request timeout) and 500: doubling waits; then the failed send retried once.
  assert.deepEqual(control.sleeps, [1000, 2000, 4000, 8000, 1000])
  const after = await account(s)
  assert.equal(after.connected, true)
  assert.equal(after.lastError, null)
  assert.deepEqual(await userTexts(s.h, `agent:main:telegram:${CHAT}`), ['the real one'])
})

test('a plugin channel without accounts is started and reported', async (t) => {
  const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'test', 'fixtures', 'plugins', 'contrib.mjs')
  const h = await startHttpGateway(t, { config: () => ({ plugins: { load: { paths: [fixture] } } }) })
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  await waitFor('the channel', async () => (await client.request('channels.status', {})).payload.channelOrder.length === 1)
  const res = await client.request('channels.status', {})
  assert.deepEqual(res.payload.channelLabels, { 'demo-chat': 'Demo chat' })
  assert.equal(res.payload.channelAccounts['demo-chat'][0].connected, false)
})
