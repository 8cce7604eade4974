// OpenClaw's own Control UI against this gateway: its recorded connect-and-chat
// request sequence (test/fixtures/control-ui) replayed over a real socket, the
// answers checked for the fields the UI reads, and the events a chat must
// produce. Plus the read-only forward-compatibility rule and sessions.list paging.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startTestGateway, TEST_TOKEN } from './support/gateway.js'
import { connectOk, TestClient, type Frame } from './support/ws-client.js'
import { openAiChatFrames, startFakeUpstream } from './support/fake-upstream.js'

interface Recorded { method: string, params: Record<string, unknown>, expect?: string[] }
interface ExpectedEvent { event: string, match: Record<string, unknown>, expect: string[] }
interface Fixture { connect: Record<string, any>, requests: Recorded[], expectEvents: ExpectedEvent[] }

const fixture = JSON.parse(await readFile(new URL('../../test/fixtures/control-ui/connect-and-chat.json', import.meta.url), 'utf8')) as Fixture
const EVENT_WAIT_MS = 5000

async function setup (t: import('node:test').TestContext, opts: { captureLogs?: boolean } = {}) {
  const upstream = await startFakeUpstream()
  const gw = await startTestGateway({
    captureLogs: opts.captureLogs,
    config: {
      models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', apiKey: 'sk-up', models: [{ id: 'echo', name: 'Echo' }] } } },
      agents: { defaults: { model: 'fake/echo' }, entries: { main: { name: 'Main', default: true } } }
    }
  })
  t.after(async () => { await gw.close(); await upstream.close() })
  return { upstream, gw }
}

/** The UI's own connect frame (its client id, mode, scopes and caps), with the test token. */
async function connectAsControlUi (url: string): Promise<{ client: TestClient, hello: Frame }> {
  const client = await TestClient.open(url)
  await client.challenge()
  const params = { ...fixture.connect, auth: { token: TEST_TOKEN, password: TEST_TOKEN } }
  const res = await client.request('connect', params, 'connect-1')
  assert.equal(res.ok, true, `connect: ${JSON.stringify(res.error)}`)
  return { client, hello: res.payload }
}

/** `a.b.0.c`: numbers index arrays; a trailing `length` asks for an array. */
function at (value: unknown, path: string): unknown {
  let cur: any = value
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined
    if (part === 'length' && !Array.isArray(cur)) return undefined
    cur = cur[part]
  }
  return cur
}

function assertShape (payload: unknown, paths: readonly string[], what: string): void {
  for (const p of paths) assert.notEqual(at(payload, p), undefined, `${what}: missing ${p} in ${JSON.stringify(payload).slice(0, 400)}`)
}

test('the Control UI connect-and-chat sequence is answered in OpenClaw shapes, with the chat events', async (t) => {
  const { gw, upstream } = await setup(t)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['Hel', 'lo', ' there'] }) })
  const { client, hello } = await connectAsControlUi(gw.url)
  t.after(() => { client.close() })
  for (const e of ['session.message', 'sessions.changed', 'chat', 'chat.metadata.changed']) assert.ok(hello.features.events.includes(e), `advertises ${e}`)
  for (const m of ['chat.startup', 'chat.metadata', 'sessions.describe', 'sessions.messages.subscribe', 'sessions.messages.unsubscribe', 'models.authStatus']) {
    assert.ok(hello.features.methods.includes(m), `advertises ${m}`)
  }
  // Empty states answer, but a client that reads features.methods still learns the feature is missing.
  for (const m of ['cron.list', 'tasks.list', 'exec.approval.list', 'update.status']) assert.ok(!hello.features.methods.includes(m), `does not advertise ${m}`)

  let sendKey: string | undefined
  for (const [i, r] of fixture.requests.entries()) {
    // config.* is another issue's work; once it is registered here, it is checked like the rest.
    if (r.method.startsWith('config.') && !gw.app.rpc.has(r.method)) continue
    const res = await client.request(r.method, r.params, `ui-${i}`)
    assert.equal(res.ok, true, `${r.method} ${JSON.stringify(r.params)}: ${JSON.stringify(res.error)}`)
    assertShape(res.payload, r.expect ?? [], r.method)
    if (r.method === 'chat.send') {
      sendKey = r.params.idempotencyKey as string
      // The UI reloads history once the reply is in: wait for it the way the UI does.
      await client.next((f) => f.event === 'chat' && f.payload.runId === sendKey && f.payload.state === 'final', EVENT_WAIT_MS)
      await client.next((f) => f.event === 'sessions.changed' && f.payload.reason === 'agent.run.finished', EVENT_WAIT_MS)
    }
  }
  assert.ok(sendKey !== undefined, 'the fixture sends a message')

  for (const want of fixture.expectEvents) {
    const frame = await client.next((f) => f.type === 'event' && f.event === want.event && Object.entries(want.match).every(([p, v]) => at(f.payload, p) === v), EVENT_WAIT_MS)
    assertShape(frame.payload, want.expect, `${want.event} ${JSON.stringify(want.match)}`)
  }
  const events = client.frames.filter((f) => f.type === 'event' && f.payload?.sessionKey === 'agent:main:main')
  const user = events.find((f) => f.event === 'session.message' && f.payload.message.role === 'user')!
  const reply = events.find((f) => f.event === 'session.message' && f.payload.message.role === 'assistant')!
  assert.equal(user.payload.message.__openclaw.idempotencyKey, sendKey, 'the user row names the chat.send key')
  assert.deepEqual([user.payload.messageSeq, reply.payload.messageSeq], [1, 2])
  assert.equal(reply.payload.message.content[0].text, 'Hello there')
  const order = events.map((f) => f.event === 'sessions.changed' ? `changed:${f.payload.reason}` : f.event === 'session.message' ? `message:${f.payload.message.role}` : f.event)
  assert.ok(order.indexOf('message:user') < order.indexOf('changed:agent.run.started'), 'the user row is on disk before the run starts')
  assert.ok(order.lastIndexOf('chat') < order.indexOf('changed:agent.run.finished'), 'the session is reported changed after the final chat event')

  // History rows carry the ids the live rows had, so the UI shows each message once.
  const history = await client.request('chat.history', { sessionKey: 'agent:main:main' })
  assert.deepEqual(history.payload.messages.map((m: any) => m.__openclaw.id), [user.payload.messageId, reply.payload.messageId])
  const described = await client.request('sessions.describe', { key: 'agent:main:main' })
  assert.deepEqual([described.payload.session.key, described.payload.session.messageCount, described.payload.session.hasActiveRun], ['agent:main:main', 2, false])
})

test('chat.startup honours limit and maxBytes, newest messages first to go', async (t) => {
  const { gw } = await setup(t)
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { client.close() })
  const long = 'y'.repeat(600)
  await gw.app.sessions.append('agent:main:main', Array.from({ length: 6 }, (_v, i) => ({ id: `m${i}`, role: i % 2 === 0 ? 'user' as const : 'assistant' as const, content: `${i} ${long}`, timestamp: 1000 + i })))
  const two = await client.request('chat.startup', { sessionKey: 'main', limit: 2, maxBytes: 262_144 })
  assert.deepEqual(two.payload.messages.map((m: any) => [m.id, m.__openclaw.seq]), [['m4', 5], ['m5', 6]])
  assert.deepEqual([two.payload.totalMessages, two.payload.hasMore], [6, true])
  assert.equal(two.payload.metadata.models[0].id, 'echo', 'metadata rides along')
  // 1 KiB holds one 600-character row, not two.
  const small = await client.request('chat.startup', { sessionKey: 'main', limit: 80, maxBytes: 1024 })
  assert.deepEqual(small.payload.messages.map((m: any) => m.id), ['m5'])
  // Above the 6 MiB cap is clamped, not refused (as OpenClaw does).
  assert.equal((await client.request('chat.startup', { sessionKey: 'main', maxBytes: 50_000_000 })).payload.messages.length, 6)
})

test('session.message goes only to connections subscribed to that session, until they unsubscribe', async (t) => {
  const { gw } = await setup(t)
  const { client: watcher } = await connectAsControlUi(gw.url)
  const { client: other } = await connectAsControlUi(gw.url)
  t.after(() => { watcher.close(); other.close() })
  assert.equal((await watcher.request('sessions.messages.subscribe', { key: 'main' })).payload.key, 'agent:main:main')
  assert.equal((await other.request('sessions.messages.subscribe', { key: 'agent:main:elsewhere' })).ok, true)
  await watcher.request('chat.send', { sessionKey: 'agent:main:main', message: 'one', idempotencyKey: 'sub-1' })
  await watcher.next((f) => f.event === 'sessions.changed' && f.payload.reason === 'agent.run.finished', EVENT_WAIT_MS)
  // `other` sees the run's broadcast events; once it has the last of them, any session.message would be in too.
  await other.next((f) => f.event === 'sessions.changed' && f.payload.reason === 'agent.run.finished', EVENT_WAIT_MS)
  assert.equal(watcher.frames.filter((f) => f.event === 'session.message').length, 2)
  assert.equal(other.frames.filter((f) => f.event === 'session.message').length, 0, 'not subscribed to agent:main:main')

  // A note written outside a run (chat.inject) is a live row too.
  const injected = await watcher.request('chat.inject', { sessionKey: 'main', message: 'note', label: 'ops' })
  const note = await watcher.next((f) => f.event === 'session.message' && f.payload.messageId === injected.payload.messageId, EVENT_WAIT_MS)
  assert.deepEqual([note.payload.message.role, note.payload.message.label, note.payload.messageSeq], ['assistant', 'ops', 3])

  const off = await watcher.request('sessions.messages.unsubscribe', { key: 'agent:main:main' })
  assert.deepEqual(off.payload, { subscribed: false, key: 'agent:main:main' })
  await watcher.request('chat.send', { sessionKey: 'agent:main:main', message: 'two', idempotencyKey: 'sub-2' })
  await watcher.next((f) => f.event === 'sessions.changed' && f.payload.reason === 'agent.run.finished' && f.payload.session.messageCount === 5, EVENT_WAIT_MS)
  assert.equal(watcher.frames.filter((f) => f.event === 'session.message').length, 3, 'no rows after unsubscribing')
})

test('a read-only method ignores unknown params (debug log); a write method refuses them', async (t) => {
  const { gw } = await setup(t, { captureLogs: true })
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.admin'] })
  t.after(() => { client.close() })
  const read = await client.request('chat.history', { sessionKey: 'main', futureField: 1, inputRunIds: ['x'] })
  assert.equal(read.ok, true, JSON.stringify(read.error))
  assert.equal(read.payload.sessionKey, 'agent:main:main')
  const log = gw.logs.find((l) => l.msg === 'ignored unknown params of a read-only method')
  assert.deepEqual(log?.ignored, ['futureField', 'inputRunIds'])
  assert.equal((await client.request('models.list', { someNewFilter: true })).ok, true)
  assert.equal((await client.request('health', { verbose: true })).ok, true, 'health is read-only too')

  // A known field with a bad value is still an error on a read.
  const bad = await client.request('chat.history', { sessionKey: 'main', limit: 'ten', futureField: 1 })
  assert.equal(bad.ok, false)
  assert.match(bad.error.message, /^invalid chat\.history params: at \/limit/)

  const write = await client.request('sessions.patch', { key: 'main', label: 'x', futureField: 1 })
  assert.equal(write.ok, false)
  assert.equal(write.error.code, 'INVALID_REQUEST')
  assert.match(write.error.message, /^invalid sessions\.patch params: at \/futureField: Unexpected property/)
  const send = await client.request('chat.send', { sessionKey: 'main', message: 'hi', idempotencyKey: 'k1', futureField: 1 })
  assert.equal(send.ok, false, 'chat.send stays strict')
})

test('sessions.list pages with limits up to 10,000 and honours the UI filters', async (t) => {
  const { gw } = await setup(t)
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.admin'] })
  t.after(() => { client.close() })
  for (let i = 0; i < 5; i++) await gw.app.sessions.append(`agent:main:s${i}`, [{ id: `m${i}`, role: 'user', content: `hi ${i}`, timestamp: 1000 + i }])
  await gw.app.sessions.append('agent:ghost:old', [{ id: 'g', role: 'user', content: 'from a removed agent', timestamp: 1 }])
  await gw.app.sessions.patch('agent:main:s4', { archived: true })

  const keys = (r: Frame) => r.payload.sessions.map((s: any) => s.key)
  const p1 = await client.request('sessions.list', { limit: 2, configuredAgentsOnly: true, includeGlobal: true, includeUnknown: true, includeDerivedTitles: true, includeLastMessage: true, ownerFirst: true })
  assert.equal(p1.ok, true, JSON.stringify(p1.error))
  assert.deepEqual({ count: p1.payload.count, total: p1.payload.totalCount, more: p1.payload.hasMore, next: p1.payload.nextOffset }, { count: 2, total: 4, more: true, next: 2 })
  const p2 = await client.request('sessions.list', { limit: 2, offset: p1.payload.nextOffset, configuredAgentsOnly: true })
  assert.deepEqual({ count: p2.payload.count, more: p2.payload.hasMore, next: p2.payload.nextOffset }, { count: 2, more: false, next: undefined })
  const all = [...keys(p1), ...keys(p2)]
  assert.equal(new Set(all).size, 4, 'pages do not overlap')
  assert.ok(!all.includes('agent:main:s4'), 'archived rows stay out by default')

  const big = await client.request('sessions.list', { limit: 10_000 })
  assert.equal(big.ok, true, JSON.stringify(big.error))
  assert.ok(keys(big).includes('agent:ghost:old'), 'without configuredAgentsOnly a removed agent\'s session is listed')
  assert.equal(big.payload.limitApplied, 10_000)
  assert.equal((await client.request('sessions.list', { limit: 10_001 })).ok, false)
  const children = await client.request('sessions.list', { spawnedBy: 'agent:main:main', limit: 10_000 })
  assert.deepEqual({ count: children.payload.count, total: children.payload.totalCount }, { count: 0, total: 0 }, 'we spawn no child sessions')
})

test('chat.metadata, models.authStatus, agents.list and a short-link chat.startup answer in OpenClaw shapes', async (t) => {
  const { gw } = await setup(t)
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { client.close() })
  const agents = await client.request('agents.list', {})
  assert.deepEqual(agents.payload.agents[0].model, { primary: 'fake/echo' })
  const meta = await client.request('chat.metadata', { agentId: 'main' })
  assert.deepEqual(meta.payload, { models: [{ id: 'echo', name: 'Echo', provider: 'fake', supportsTools: true, available: true, local: true }], swarmEnabled: false, accountSelection: { kind: 'automatic', label: 'Automatic account selection' } })
  assert.equal((await client.request('chat.metadata', { sessionKey: 'main' })).payload.runtimeSelectionLocked, false)
  const unknown = await client.request('chat.metadata', { agentId: 'nobody' })
  assert.equal(unknown.error.details.code, 'UNKNOWN_AGENT_ID')
  const auth = await client.request('models.authStatus', { agentId: 'main' })
  assert.deepEqual(auth.payload.providers, [{ provider: 'fake', authProvider: 'fake', displayName: 'fake', status: 'static', profiles: [], apiKey: { source: 'config' } }])
  const link = await client.request('chat.startup', { shortId: 'abc', agentId: 'main' })
  assert.deepEqual(link.payload, { resolution: { ok: false } })
  const startup = await client.request('chat.startup', { sessionKey: 'main', limit: 80, maxBytes: 262_144 })
  assert.deepEqual(startup.payload.defaults.model, 'echo')
  assert.deepEqual(startup.payload.messages, [])
  assert.equal(startup.payload.sessionInfo, null)
})

test('a config change nudges clients with chat.metadata.changed', async (t) => {
  const { gw } = await setup(t)
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { client.close() })
  const store = gw.app.configStore
  const config = store.config
  const fake = config.models!.providers!.fake!
  const next = { ...config, models: { providers: { fake: { ...fake, models: [...fake.models!, { id: 'echo2' }] } } } }
  store.swap({ ...store.current, snapshot: { ...store.current.snapshot, config: next } }, ['models.providers.fake.models'])
  const e = await client.event('chat.metadata.changed', EVENT_WAIT_MS)
  assert.deepEqual(e.payload, {})
  const meta = await client.request('chat.metadata', {})
  assert.deepEqual(meta.payload.models.map((m: any) => m.id), ['echo', 'echo2'])
})
