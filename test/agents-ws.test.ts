// The agent methods over the real WS plane: two-stage `agent`, chat.send and
// its events, history, abort, sessions.*, catalogues and bad input.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createFileSessionStore, type SessionEntry } from '../src/sessions/index.js'
import { writeIndex } from '../src/sessions/index-file.js'
import { waitFor } from './support/wait.js'
import { startTestGateway, TEST_TOKEN } from './support/gateway.js'
import { connectOk, type TestClient } from './support/ws-client.js'
import { startFakeUpstream, openAiChatFrames, type FakeUpstream } from './support/fake-upstream.js'

const ADMIN = ['operator.admin', 'operator.read', 'operator.write']

async function setup (t: import('node:test').TestContext, opts: { config?: (up: FakeUpstream) => Record<string, unknown>, caps?: string[] } = {}) {
  const upstream = await startFakeUpstream()
  const config = opts.config?.(upstream) ?? {
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', apiKey: 'sk-up', models: [{ id: 'echo', name: 'Echo' }] } } },
    agents: { defaults: { model: 'fake/echo', models: { 'fake/echo': { alias: 'fast' } } }, entries: { main: { name: 'Main', default: true, identity: { emoji: '🦞' } }, research: { name: 'Research' } } }
  }
  const gw = await startTestGateway({ config })
  const { client, hello } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN, caps: opts.caps ?? ['tool-events'] })
  t.after(async () => { client.close(); await gw.close(); await upstream.close() })
  return { upstream, gw, client, hello }
}

const chatEvents = (c: TestClient, runId: string) => c.frames.filter((f) => f.type === 'event' && f.event === 'chat' && f.payload.runId === runId).map((f) => f.payload)

test('hello-ok advertises the agent methods and the default session', async (t) => {
  const { hello } = await setup(t)
  for (const m of ['agent', 'agent.wait', 'chat.send', 'chat.history', 'chat.abort', 'chat.inject', 'sessions.list', 'sessions.subscribe', 'sessions.preview', 'sessions.patch', 'sessions.reset', 'sessions.delete', 'models.list', 'agents.list', 'agent.identity.get', 'tools.catalog', 'commands.list', 'wake']) {
    assert.ok(hello.features.methods.includes(m), `advertises ${m}`)
  }
  for (const e of ['agent', 'chat', 'sessions.changed']) assert.ok(hello.features.events.includes(e), `advertises event ${e}`)
  assert.deepEqual(hello.snapshot.sessionDefaults, { defaultAgentId: 'main', mainKey: 'main', mainSessionKey: 'agent:main:main', scope: 'per-sender' })
})

test('agent answers twice on one id: accepted, then the final result', async (t) => {
  const { client } = await setup(t)
  client.send({ type: 'req', id: 'a1', method: 'agent', params: { message: 'hello agent', idempotencyKey: 'run-a1' } })
  const first = await client.response('a1', 1)
  assert.equal(first.ok, true)
  assert.equal(first.payload.status, 'accepted')
  assert.equal(first.payload.runId, 'run-a1')
  assert.equal(first.payload.sessionKey, 'agent:main:main')
  const second = await client.response('a1', 2, 5000)
  assert.equal(second.ok, true)
  assert.equal(second.payload.status, 'ok')
  assert.deepEqual(second.payload.result.payloads, [{ text: 'echo: hello agent' }])
  assert.equal(second.payload.result.meta.agentMeta.provider, 'fake')
  const agentEvents = client.frames.filter((f) => f.event === 'agent' && f.payload.runId === 'run-a1').map((f) => `${f.payload.stream}:${f.payload.data.phase ?? ''}`)
  assert.equal(agentEvents[0], 'lifecycle:start')
  assert.ok(agentEvents.includes('assistant:'))
  assert.equal(agentEvents.at(-1), 'lifecycle:end')
  const wait = await client.request('agent.wait', { runId: 'run-a1', timeoutMs: 1000 })
  assert.equal(wait.payload.status, 'ok')
})

test('chat.send acks, streams chat events and lands in chat.history', async (t) => {
  const { client, upstream } = await setup(t)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['Hi', ' there', '!'] }), delayMs: 60 })
  const ack = await client.request('chat.send', { sessionKey: 'agent:main:main', message: 'hey', idempotencyKey: 'chat-1' })
  assert.deepEqual(ack.payload, { runId: 'chat-1', status: 'started' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'chat-1' && f.payload.state === 'final', 5000)
  const events = chatEvents(client, 'chat-1')
  const deltas = events.filter((e) => e.state === 'delta')
  assert.ok(deltas.length >= 2, 'several deltas')
  assert.equal(deltas.map((d) => d.deltaText).join(''), 'Hi there!')
  assert.equal(deltas.at(-1).message.content[0].text, 'Hi there!', 'delta carries the cumulative message')
  assert.deepEqual(events.map((e) => e.seq), events.map((_e, i) => i + 1), 'per-run chat seq')
  assert.equal(events.at(-1).message.content[0].text, 'Hi there!')
  const history = await client.request('chat.history', { sessionKey: 'agent:main:main' })
  assert.deepEqual(history.payload.messages.map((m: any) => m.role), ['user', 'assistant'])
  assert.equal(history.payload.sessionInfo.key, 'agent:main:main')
})

test('a duplicate idempotency key does not start a second run', async (t) => {
  const { client, upstream } = await setup(t)
  const a = await client.request('chat.send', { sessionKey: 'main', message: 'once', idempotencyKey: 'dup-1' })
  const b = await client.request('chat.send', { sessionKey: 'main', message: 'once', idempotencyKey: 'dup-1' })
  assert.equal(a.payload.runId, b.payload.runId)
  await client.next((f) => f.event === 'chat' && f.payload.state === 'final', 5000)
  assert.equal(upstream.requests.length, 1)
})

test('chat.abort stops a streaming reply with an aborted event', async (t) => {
  const { client, upstream, gw } = await setup(t)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }), delayMs: 150 })
  await client.request('chat.send', { sessionKey: 'main', message: 'long', idempotencyKey: 'ab-1' })
  await client.next((f) => f.event === 'chat' && f.payload.state === 'delta', 5000)
  const res = await client.request('chat.abort', { sessionKey: 'agent:main:main' })
  assert.deepEqual(res.payload, { ok: true, aborted: true, runIds: ['ab-1'] })
  const end = await client.next((f) => f.event === 'chat' && f.payload.runId === 'ab-1' && f.payload.state !== 'delta', 5000)
  assert.equal(end.payload.state, 'aborted')
  assert.equal(gw.app.agents.activeRuns().length, 0)
})

test('provider failures reach the client as chat error events with errorKind', async (t) => {
  const { client, upstream } = await setup(t)
  upstream.enqueue({ type: 'json', status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } } })
  await client.request('chat.send', { sessionKey: 'main', message: 'x', idempotencyKey: 'err-1' })
  const ev = await client.next((f) => f.event === 'chat' && f.payload.runId === 'err-1' && f.payload.state === 'error', 5000)
  assert.equal(ev.payload.errorKind, 'context_length')
  assert.equal(ev.payload.errorDetail.httpStatus, 400)
  // The transcript keeps the user turn; another session is unaffected.
  const other = await client.request('chat.send', { sessionKey: 'other', message: 'fine', idempotencyKey: 'ok-2' })
  assert.equal(other.ok, true)
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'ok-2' && f.payload.state === 'final', 5000)
})

test('bad input: empty message, unknown agent, oversized attachments, unknown model', async (t) => {
  const { client } = await setup(t)
  const empty = await client.request('chat.send', { sessionKey: 'main', message: '  ', idempotencyKey: 'e1' })
  assert.equal(empty.error.code, 'INVALID_REQUEST')
  const agent = await client.request('agent', { message: 'x', agentId: 'ghost', idempotencyKey: 'e2' })
  assert.equal(agent.error.code, 'INVALID_REQUEST')
  assert.equal(agent.error.details.code, 'UNKNOWN_AGENT_ID')
  const huge = Buffer.alloc(7 * 1024 * 1024).toString('base64')
  const big = await client.request('chat.send', { sessionKey: 'main', message: 'pic', idempotencyKey: 'e3', attachments: [{ mimeType: 'image/png', content: huge }] })
  assert.equal(big.error.code, 'INVALID_REQUEST')
  assert.match(big.error.message, /larger than/)
  const wrongType = await client.request('chat.send', { sessionKey: 'main', message: 5, idempotencyKey: 'e4' })
  assert.match(wrongType.error.message, /invalid chat.send params/)
  const model = await client.request('sessions.patch', { key: 'agent:main:main', model: 'nope/x' })
  assert.equal(model.error.code, 'INVALID_REQUEST')
})

test('no provider configured: runs fail fast naming the key to set', async (t) => {
  const { client } = await setup(t, { config: () => ({}) })
  const res = await client.request('chat.send', { sessionKey: 'main', message: 'hi', idempotencyKey: 'np-1' })
  assert.equal(res.ok, false)
  assert.match(res.error.message, /agents\.defaults\.model/)
  const health = await client.request('health')
  assert.equal(health.ok, true)
})

test('sessions: list, patch, preview, reset and delete, with sessions.changed', async (t) => {
  const { client } = await setup(t)
  await client.request('chat.send', { sessionKey: 'agent:main:work', message: 'remember x', idempotencyKey: 's-1' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 's-1' && f.payload.state === 'final', 5000)
  const list = await client.request('sessions.list', {})
  assert.deepEqual(list.payload.sessions.map((s: any) => s.key), ['agent:main:work'])
  assert.equal(list.payload.sessions[0].messageCount, 2)
  const patched = await client.request('sessions.patch', { key: 'agent:main:work', label: 'Work', model: 'fast' })
  assert.equal(patched.payload.entry.label, 'Work')
  assert.equal(patched.payload.entry.modelProvider, 'fake')
  // The run reported itself (agent.run.started / finished); the patch is the next change.
  const changed = await client.next((f) => f.event === 'sessions.changed' && f.payload.reason !== 'agent.run.started' && f.payload.reason !== 'agent.run.finished')
  assert.equal(changed.payload.reason, 'patch')
  assert.equal(changed.payload.session.label, 'Work')
  const preview = await client.request('sessions.preview', { keys: ['agent:main:work', 'agent:main:none'] })
  assert.equal(preview.payload.previews[0].items[0].text, 'remember x')
  assert.equal(preview.payload.previews[1].status, 'missing')
  const before = list.payload.sessions[0].sessionId
  const reset = await client.request('sessions.reset', { key: 'agent:main:work' })
  assert.notEqual(reset.payload.entry.sessionId, before)
  assert.equal(reset.payload.entry.label, 'Work')
  const history = await client.request('chat.history', { sessionKey: 'agent:main:work' })
  assert.equal(history.payload.messages.length, 0)
  const del = await client.request('sessions.delete', { key: 'agent:main:work' })
  assert.equal(del.payload.deleted, true)
  assert.equal((await client.request('sessions.list', {})).payload.sessions.length, 0)
})

test('catalogues: models, agents, identity, tools, commands', async (t) => {
  const { client } = await setup(t)
  const models = await client.request('models.list', {})
  assert.deepEqual(models.payload.models.map((m: any) => [m.provider, m.id, m.alias]), [['fake', 'echo', 'fast']])
  const agents = await client.request('agents.list', {})
  assert.equal(agents.payload.defaultId, 'main')
  assert.deepEqual(agents.payload.agents.map((a: any) => a.id), ['main', 'research'])
  const identity = await client.request('agent.identity.get', { agentId: 'main' })
  assert.equal(identity.payload.emoji, '🦞')
  const tools = await client.request('tools.catalog', {})
  const names = tools.payload.tools.map((x: any) => x.name)
  assert.ok(names.includes('read') && names.includes('ls'))
  assert.ok(!names.includes('exec'), 'exec is off by default')
  const commands = await client.request('commands.list', {})
  assert.ok(commands.payload.commands.some((c: any) => c.name === 'new'))
})

test('session-scoped-events clients only hear sessions they subscribed to', async (t) => {
  const { gw, client } = await setup(t)
  const { client: scoped } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN, caps: ['session-scoped-events'] })
  t.after(() => { scoped.close() })
  await client.request('chat.send', { sessionKey: 'agent:main:one', message: 'a', idempotencyKey: 'sc-1' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'sc-1' && f.payload.state === 'final', 5000)
  assert.equal(scoped.frames.filter((f) => f.event === 'chat').length, 0)
  await scoped.request('sessions.subscribe', { keys: ['agent:main:two'] })
  await client.request('chat.send', { sessionKey: 'agent:main:two', message: 'b', idempotencyKey: 'sc-2' })
  await scoped.next((f) => f.event === 'chat' && f.payload.runId === 'sc-2' && f.payload.state === 'final', 5000)
})

test('tool events go only to clients with the tool-events cap', async (t) => {
  const { gw, client, upstream } = await setup(t)
  const { client: plain } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN })
  t.after(() => { plain.close() })
  upstream.enqueue(
    { type: 'sse', frames: openAiChatFrames({ toolCalls: [{ id: 'c1', name: 'ls', arguments: '{}' }] }) },
    { type: 'sse', frames: openAiChatFrames({ text: 'done' }) }
  )
  await client.request('chat.send', { sessionKey: 'main', message: 'list', idempotencyKey: 'tool-1' })
  await client.next((f) => f.event === 'agent' && f.payload.stream === 'tool' && f.payload.data.phase === 'result', 5000)
  await plain.next((f) => f.event === 'chat' && f.payload.runId === 'tool-1' && f.payload.state === 'final', 5000)
  assert.equal(plain.frames.filter((f) => f.event === 'agent' && f.payload.stream === 'tool').length, 0)
})

test('read-only clients cannot send', async (t) => {
  const { gw } = await setup(t)
  const { client: reader } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { reader.close() })
  const res = await reader.request('chat.send', { sessionKey: 'main', message: 'x', idempotencyKey: 'ro-1' })
  assert.equal(res.error.code, 'FORBIDDEN')
  assert.equal(res.error.message, 'missing scope: operator.write')
  assert.equal((await reader.request('sessions.list', {})).ok, true)
})

test('wake now runs a turn on the main session', async (t) => {
  const { client } = await setup(t)
  const res = await client.request('wake', { mode: 'now', text: 'build finished' })
  assert.equal(res.payload.ok, true)
  assert.equal(res.payload.eventOutcome, 'queued')
  // The fake model acknowledges (HEARTBEAT_OK): the turn ends as a heartbeat verdict, not a chat reply.
  const beat = await client.next((f) => f.event === 'heartbeat', 5000)
  assert.equal(beat.payload.status, 'ok-token')
  const later = await client.request('wake', { mode: 'next-heartbeat', text: 'deploy done' })
  const again = await client.request('wake', { mode: 'next-heartbeat', text: 'deploy done' })
  assert.equal(later.payload.eventOutcome, 'queued')
  assert.equal(again.payload.eventOutcome, 'coalesced')
})

test('a gateway restarted on an existing index answers sessions.list in full and health gains the counts once the index is loaded', async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'agents-ws-preload-'))
  t.after(() => rm(home, { recursive: true, force: true }))
  const seeded = createFileSessionStore({ stateDir: path.join(home, 'state') })
  for (let i = 0; i < 40; i++) await seeded.append(`agent:main:peer-${i}`, [{ id: 'm1', role: 'user', content: `hello ${i}`, timestamp: 1_000 + i }])
  await seeded.close()
  const gw = await startTestGateway({ home })
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN })
  t.after(async () => { client.close(); await gw.close() })
  // Asked right after connecting, while the index may still be loading: the answer waits for it.
  const page = (await client.request('sessions.list', { limit: 5 })).payload
  assert.equal(page.totalCount, 40)
  assert.deepEqual(page.sessions.map((s: { key: string }) => s.key), [39, 38, 37, 36, 35].map((i) => `agent:main:peer-${i}`))
  await waitFor('health to count the loaded sessions', async () => (await client.request('health', {})).payload.sessions?.count === 40)
})

test('with a large index the gateway listens first; clients get the session counts in a health event once it is loaded', async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'agents-ws-large-'))
  t.after(() => rm(home, { recursive: true, force: true }))
  // Over the 4 MB that is loaded on the spot: 2,500 entries with 2 kB labels, written by the store's own writer.
  const dir = path.join(home, 'state', 'agents', 'main', 'sessions')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const entries = new Map<string, SessionEntry>()
  for (let i = 0; i < 2_500; i++) {
    const key = `agent:main:big-${i}`
    entries.set(key, { key, agentId: 'main', sessionId: randomUUID(), createdAt: 1_000 + i, updatedAt: 1_000 + i, label: `label ${i} ${'x'.repeat(2_000)}`, messageCount: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 })
  }
  await writeIndex(path.join(dir, 'sessions.json'), entries)
  const gw = await startTestGateway({ home })
  const { client, hello } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN })
  t.after(async () => { client.close(); await gw.close() })
  const page = (await client.request('sessions.list', { limit: 2 })).payload
  assert.equal(page.totalCount, 2_500, 'a list waits for the load and sees every session')
  assert.deepEqual(page.sessions.map((s: { key: string }) => s.key), ['agent:main:big-2499', 'agent:main:big-2498'])
  // A snapshot taken before the load ends leaves the counts out; the health event sent after it has them.
  const health = hello.snapshot.health.sessions !== undefined
    ? hello.snapshot.health
    : (await client.next((f) => f.event === 'health' && f.payload.sessions !== undefined, 15_000)).payload
  assert.equal(health.sessions.count, 2_500)
  assert.equal(health.agents.find((a: { agentId: string }) => a.agentId === 'main').sessions.count, 2_500)
})
