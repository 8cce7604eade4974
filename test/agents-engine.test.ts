// The agent engine against a fake upstream: streaming, tools, fallbacks,
// aborts, timeouts and transcripts, with real files in a temp state dir.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { AgentEngine } from '../src/agents/engine.js'
import { AgentError } from '../src/errors/agents.js'
import { createFileSessionStore } from '../src/sessions/index.js'
import { createToolRegistry, registerBuiltinTools } from '../src/tools/index.js'
import type { GatewayConfig } from '../schemas/config.js'
import { startFakeUpstream, openAiChatFrames, anthropicFrames, type FakeUpstream } from './support/fake-upstream.js'
import { waitFor } from './support/wait.js'

interface Published { event: string, payload: any, opts: any }

async function setup (t: import('node:test').TestContext, configFor: (up: FakeUpstream) => GatewayConfig, now?: () => number) {
  const upstream = await startFakeUpstream()
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'oc-engine-'))
  const sessions = createFileSessionStore({ stateDir })
  const tools = createToolRegistry()
  registerBuiltinTools(tools)
  const published: Published[] = []
  let config = configFor(upstream)
  const logs: string[] = []
  const silent = { debug () {}, info (_o: object, msg?: string) { logs.push(msg ?? '') }, warn (_o: object, msg?: string) { logs.push(msg ?? '') } }
  const engine = new AgentEngine({
    getConfig: () => config,
    dirs: { stateDir, home: stateDir },
    sessions,
    tools,
    getApiKey: () => 'sk-test-key',
    publish: (event, payload, opts) => { published.push({ event, payload, opts }) },
    logger: silent,
    ...(now !== undefined ? { now } : {})
  })
  t.after(async () => {
    await engine.close()
    await sessions.close()
    await upstream.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { upstream, engine, sessions, published, stateDir, logs, setConfig: (c: GatewayConfig) => { config = c } }
}

const openai = (up: FakeUpstream, extra: GatewayConfig = {}): GatewayConfig => ({
  models: { providers: { fake: { baseUrl: up.openaiBaseUrl, api: 'openai-completions', models: [{ id: 'echo' }] } } },
  agents: { defaults: { model: 'fake/echo' } },
  ...extra
})

const user = (text: string) => [{ role: 'user' as const, content: text }]

test('a streamed turn is persisted and announced in order', async (t) => {
  const { upstream, engine, sessions, published } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['Hel', 'lo ', 'there'], usage: { input: 5, output: 3 } }) })
  const run = engine.start({ source: 'chat', input: user('hi'), runId: 'run-1' })
  const deltas: string[] = []
  run.listen((e) => { if (e.type === 'delta') deltas.push(e.delta) })
  const r = await run.done
  assert.equal(r.status, 'ok')
  assert.equal(r.text, 'Hello there')
  assert.deepEqual(deltas, ['Hel', 'lo ', 'there'])
  assert.equal(r.usage.totalTokens, 8)
  assert.equal(r.sessionKey, 'agent:main:main')
  const history = await sessions.history('agent:main:main')
  assert.deepEqual(history.map((m) => m.role), ['user', 'assistant'])
  assert.equal(history[1]!.runId, 'run-1')
  // The upstream saw the system prompt and the user turn, with our key.
  const req = upstream.lastRequest()
  assert.equal(req.headers.authorization, 'Bearer sk-test-key')
  assert.equal(req.body.messages[0].role, 'system')
  assert.deepEqual(req.body.messages.at(-1), { role: 'user', content: 'hi' })
  const chat = published.filter((p) => p.event === 'chat').map((p) => p.payload)
  assert.equal(chat.at(-1).state, 'final')
  assert.equal(chat.at(-1).message.content[0].text, 'Hello there')
  const lifecycle = published.filter((p) => p.event === 'agent' && p.payload.stream === 'lifecycle').map((p) => p.payload.data.phase)
  assert.deepEqual(lifecycle, ['start', 'end'])
})

test('the next turn sends the transcript as history', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  await engine.start({ source: 'chat', input: user('first question') }).done
  await engine.start({ source: 'chat', input: user('second question') }).done
  const roles = upstream.lastRequest().body.messages.map((m: any) => `${m.role}:${typeof m.content === 'string' ? m.content.slice(0, 15) : ''}`)
  assert.deepEqual(roles.slice(1), ['user:first question', 'assistant:echo: first que', 'user:second question'])
})

test('tool calls run in the workspace and their results go back to the model', async (t) => {
  const { upstream, engine, sessions, published, stateDir } = await setup(t, (up) => openai(up))
  upstream.enqueue(
    { type: 'sse', frames: openAiChatFrames({ toolCalls: [{ id: 'call_1', name: 'write', arguments: ['{"path":"notes.txt",', '"content":"remember"}'] }] }) },
    { type: 'sse', frames: openAiChatFrames({ text: 'saved it' }) }
  )
  const r = await engine.start({ source: 'agent', input: user('save a note') }).done
  assert.equal(r.status, 'ok')
  assert.equal(r.text, 'saved it')
  assert.equal(await readFile(path.join(stateDir, 'workspace', 'notes.txt'), 'utf8'), 'remember')
  const second = upstream.requests.at(-1)!.body.messages
  const toolMsg = second.find((m: any) => m.role === 'tool')
  assert.equal(toolMsg.tool_call_id, 'call_1')
  assert.equal(upstream.requests[0]!.body.tools.some((t: any) => t.function.name === 'read'), true)
  const history = await sessions.history('agent:main:main')
  assert.deepEqual(history.map((m) => m.role), ['user', 'assistant', 'toolResult', 'assistant'])
  const toolEvents = published.filter((p) => p.event === 'agent' && p.payload.stream === 'tool')
  assert.deepEqual(toolEvents.map((p) => p.payload.data.phase), ['start', 'result'])
  assert.equal(toolEvents[0]!.opts.requireCap, 'tool-events')
})

test('a tool error (bad JSON arguments) goes back to the model, the run survives', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue(
    { type: 'sse', frames: openAiChatFrames({ toolCalls: [{ id: 'c1', name: 'read', arguments: '{not json' }] }) },
    { type: 'sse', frames: openAiChatFrames({ text: 'sorry' }) }
  )
  const r = await engine.start({ source: 'agent', input: user('read it') }).done
  assert.equal(r.status, 'ok')
  const toolMsg = upstream.lastRequest().body.messages.find((m: any) => m.role === 'tool')
  assert.match(toolMsg.content, /json/i)
})

test('client tools end the run with pending tool calls', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ toolCalls: [{ id: 'c9', name: 'get_weather', arguments: '{"city":"Oslo"}' }] }) })
  const r = await engine.start({
    source: 'openai',
    persist: false,
    input: user('weather?'),
    clientTools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]
  }).done
  assert.equal(r.status, 'ok')
  assert.equal(r.stopReason, 'tool_calls')
  assert.deepEqual(r.toolCalls, [{ id: 'c9', name: 'get_weather', arguments: '{"city":"Oslo"}' }])
})

test('a 500 fails over to the next model and says so', async (t) => {
  const { upstream, engine, published, logs } = await setup(t, (up) => ({
    models: {
      providers: {
        a: { baseUrl: up.openaiBaseUrl, api: 'openai-completions' },
        b: { baseUrl: up.url, api: 'anthropic-messages' }
      }
    },
    agents: { defaults: { model: { primary: 'a/first', fallbacks: ['b/second'] } } }
  }))
  upstream.enqueue(
    { type: 'json', status: 500, body: { error: { message: 'boom' } } },
    { type: 'json', status: 503, body: { error: { message: 'still down' } } },
    { type: 'sse', frames: anthropicFrames({ text: 'from claude' }) }
  )
  const r = await engine.start({ source: 'agent', input: user('hi') }).done
  assert.equal(r.status, 'ok')
  assert.equal(r.text, 'from claude')
  assert.equal(r.provider, 'b')
  assert.equal(upstream.requests.length, 3)
  const statuses = published.filter((p) => p.event === 'agent' && p.payload.stream === 'run_status').map((p) => p.payload.data.phase)
  assert.deepEqual(statuses, ['retry', 'failover'])
  assert.ok(logs.includes('model failover: a/first → b/second (server)'), JSON.stringify(logs))
})

test('the system prompt is built from the workspace bootstrap files plus the extra prompt', async (t) => {
  const { upstream, engine, stateDir } = await setup(t, (up) => openai(up))
  const workspace = path.join(stateDir, 'workspace')
  await mkdir(workspace, { recursive: true })
  await writeFile(path.join(workspace, 'SOUL.md'), 'Be terse.')
  await writeFile(path.join(workspace, 'USER.md'), 'x'.repeat(25_000))
  await engine.start({ source: 'agent', input: user('hi'), extraSystemPrompt: 'Answer in French.' }).done
  const system = upstream.lastRequest().body.messages[0].content as string
  assert.match(system, /## SOUL\.md\n\nBe terse\./)
  assert.match(system, /USER\.md truncated at 20000 characters/)
  assert.ok(system.indexOf('Be terse.') < system.indexOf('Answer in French.'), 'the request prompt comes last')
  assert.ok(system.length < 25_000)
})

test('the system message follows its parts: the extra prompt per request, the bootstrap files when they change', async (t) => {
  let clock = 1_000_000
  const { upstream, engine, stateDir } = await setup(t, (up) => openai(up), () => clock)
  const workspace = path.join(stateDir, 'workspace')
  await mkdir(workspace, { recursive: true })
  await writeFile(path.join(workspace, 'SOUL.md'), 'Be terse.')
  const systemOf = async (extra: string | undefined) => {
    upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['ok'] }) })
    await engine.start({ source: 'agent', input: user('hi'), ...(extra !== undefined ? { extraSystemPrompt: extra } : {}) }).done
    return upstream.lastRequest().body.messages[0].content as string
  }
  // The same parts give the same prompt (reused); a different extra prompt is never served a stale one.
  assert.match(await systemOf('In French.'), /Be terse\.\n\nIn French\.$/)
  assert.match(await systemOf('In French.'), /Be terse\.\n\nIn French\.$/)
  assert.match(await systemOf('In German.'), /Be terse\.\n\nIn German\.$/)
  assert.match(await systemOf(undefined), /Be terse\.$/)
  // An edited bootstrap file shows in the next turn once it is re-read (at most a second later).
  await writeFile(path.join(workspace, 'SOUL.md'), 'Be thorough, and cite sources.')
  clock += 1500
  const edited = await systemOf('In French.')
  assert.match(edited, /Be thorough, and cite sources\.\n\nIn French\.$/)
  assert.doesNotMatch(edited, /Be terse/)
})

test('a 429 is retried after its Retry-After', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'json', status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down' } } })
  const r = await engine.start({ source: 'agent', input: user('hi') }).done
  assert.equal(r.status, 'ok')
  assert.equal(upstream.requests.length, 2)
})

test('a non-retryable error (401) fails the run without failover', async (t) => {
  const { upstream, engine, published } = await setup(t, (up) => ({
    models: { providers: { a: { baseUrl: up.openaiBaseUrl, api: 'openai-completions' } } },
    agents: { defaults: { model: { primary: 'a/x', fallbacks: ['a/y'] } } }
  }))
  upstream.enqueue({ type: 'json', status: 401, body: { error: { message: 'bad key' } } })
  const r = await engine.start({ source: 'chat', input: user('hi') }).done
  assert.equal(r.status, 'error')
  assert.equal(r.error?.code, 'PROVIDER_FAILED')
  assert.equal(upstream.requests.length, 1)
  const final = published.filter((p) => p.event === 'chat').at(-1)!.payload
  assert.equal(final.state, 'error')
  assert.match(final.errorMessage, /a\/x/)
})

test('abort mid-stream stops the upstream request and records an aborted run', async (t) => {
  const { upstream, engine, published } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['a', 'b', 'c', 'd', 'e', 'f'] }), delayMs: 200 })
  const run = engine.start({ source: 'chat', input: user('hi') })
  await new Promise<void>((resolve) => { const off = run.listen((e) => { if (e.type === 'delta') { off(); resolve() } }) })
  assert.deepEqual(engine.abort({ sessionKey: run.sessionKey }), [run.runId])
  const r = await run.done
  assert.equal(r.status, 'aborted')
  assert.equal((await upstream.lastRequest().closed).early, true)
  assert.equal(published.filter((p) => p.event === 'chat').at(-1)!.payload.state, 'aborted')
  assert.equal(engine.activeRuns().length, 0)
})

test("the caller's AbortSignal aborts the run and its upstream call", async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['a', 'b', 'c', 'd', 'e', 'f'] }), delayMs: 200 })
  const caller = new AbortController()
  const run = engine.start({ source: 'chat', input: user('hi'), signal: caller.signal })
  await new Promise<void>((resolve) => { const off = run.listen((e) => { if (e.type === 'delta') { off(); resolve() } }) })
  caller.abort()
  const r = await run.done
  assert.equal(r.status, 'aborted')
  assert.equal((await upstream.lastRequest().closed).early, true)
})

test('a run past its timeout ends as timeout', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['a', 'b', 'c'] }), delayMs: 400 })
  const r = await engine.start({ source: 'chat', input: user('hi'), timeoutMs: 150 }).done
  assert.equal(r.status, 'timeout')
  assert.equal(r.error?.errorKind, 'timeout')
})

test('a long deadline is kept by the engine sweep: past it, the run ends as timeout', async (t) => {
  let clock = 1_000_000
  const { upstream, engine } = await setup(t, (up) => openai(up), () => clock)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'slow' }).slice(0, 1), after: 'hang' })
  const run = engine.start({ source: 'chat', input: user('hi'), timeoutMs: 10 * 60_000 })
  await waitFor('the upstream call', () => upstream.requests.length > 0)
  // Within the deadline, a sweep leaves it alone.
  clock += 9 * 60_000
  await new Promise((resolve) => setTimeout(resolve, 1100))
  assert.equal(run.result, undefined)
  // Past it, the next sweep (at most a second later) times it out.
  clock += 2 * 60_000
  const r = await run.done
  assert.equal(r.status, 'timeout')
  assert.match(r.error?.message ?? '', /timed out after 600 s/)
})

test('an upstream reset mid-stream is an error, not a silent success', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['partial'] }).slice(0, 2), after: 'destroy' })
  const r = await engine.start({ source: 'chat', input: user('hi') }).done
  assert.equal(r.status, 'error')
  assert.equal(r.text, 'partial')
  assert.equal(upstream.requests.length, 1, 'no retry once output was streamed')
})

test('an upstream that answers HTML is a clear error', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  upstream.enqueue({ type: 'text', status: 200, body: '<html>oops</html>', contentType: 'text/html' })
  const r = await engine.start({ source: 'chat', input: user('hi') }).done
  assert.equal(r.status, 'error')
  assert.equal(r.error?.code, 'PROVIDER_FAILED')
})

test('no model configured fails fast naming the key to set', async (t) => {
  const { engine } = await setup(t, () => ({}))
  assert.throws(() => engine.start({ source: 'chat', input: user('hi') }), (err: unknown) =>
    err instanceof AgentError && err.code === 'MODEL_NOT_CONFIGURED' && /agents\.defaults\.model/.test(err.message))
})

test('unknown agents, unknown models and empty messages are refused before admission', async (t) => {
  const { engine } = await setup(t, (up) => openai(up))
  assert.throws(() => engine.start({ source: 'agent', agentId: 'ghost', input: user('hi') }), { code: 'AGENT_UNKNOWN' })
  assert.throws(() => engine.start({ source: 'agent', input: user('hi'), modelOverride: 'nope/model' }), { code: 'MODEL_UNKNOWN' })
  assert.throws(() => engine.start({ source: 'agent', input: user('   ') }), { code: 'MESSAGE_EMPTY' })
  assert.equal(engine.activeRuns().length, 0)
})

test('runs of one session are serialized; different sessions run concurrently', async (t) => {
  const { upstream, engine } = await setup(t, (up) => openai(up))
  const slow = { type: 'sse' as const, frames: openAiChatFrames({ text: ['x', 'y'] }), delayMs: 150 }
  upstream.enqueue(slow, slow, slow)
  const lastUser = (i: number) => upstream.requests[i]!.body.messages.at(-1).content
  const a1 = engine.start({ source: 'chat', sessionKey: 'a', input: user('a1') })
  const a2 = engine.start({ source: 'chat', sessionKey: 'a', input: user('a2') })
  const b1 = engine.start({ source: 'chat', sessionKey: 'b', input: user('b1') })
  let a1Done = false
  void a1.done.then(() => { a1Done = true })
  await waitFor('both upstream calls', () => upstream.requests.length >= 2)
  assert.equal(a1Done, false, 'two requests in flight while the first run is still going')
  assert.deepEqual([lastUser(0), lastUser(1)].sort(), ['a1', 'b1'])
  await Promise.all([a1.done, a2.done, b1.done])
  assert.equal(lastUser(2), 'a2', 'the second run of session a waited for the first')
  assert.equal(a1.sessionKey, 'agent:main:a')
})

test('finished runs stay queryable by id, at most 1000 of them and for 10 minutes', async (t) => {
  let clock = 1_000_000
  const { engine } = await setup(t, (up) => openai(up), () => clock)
  const ids: string[] = []
  for (let i = 0; i < 1005; i++) {
    const run = engine.start({ source: 'chat', input: user(`n${i}`), persist: false, runId: `r${i}` })
    await run.done
    ids.push(run.runId)
  }
  // The five oldest made room; the rest answer with their result.
  for (const id of ids.slice(0, 5)) assert.equal(engine.get(id), undefined, id)
  const kept = engine.get('r5')!
  assert.equal(kept.result?.status, 'ok')
  assert.equal((await kept.done).text, 'echo: n5')
  // Starting a known id again returns the finished run instead of running it twice.
  assert.equal(engine.start({ source: 'chat', input: user('again'), runId: 'r1004' }).result?.text, 'echo: n1004')
  // Ten minutes later one more finished run sweeps every expired one.
  clock += 10 * 60_000 + 1
  await engine.start({ source: 'chat', input: user('late'), persist: false, runId: 'late' }).done
  assert.equal(engine.get('r1004'), undefined)
  assert.equal(engine.get('late')?.result?.text, 'echo: late')
})

test('an HTTP run is kept for agent.wait only when its id went out in events', async (t) => {
  let listening = false
  const upstream = await startFakeUpstream()
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'oc-engine-'))
  const sessions = createFileSessionStore({ stateDir })
  const tools = createToolRegistry()
  const published: string[] = []
  const silent = { debug () {}, info () {}, warn () {} }
  const engine = new AgentEngine({
    getConfig: () => openai(upstream),
    dirs: { stateDir, home: stateDir },
    sessions,
    tools,
    getApiKey: () => 'sk-test-key',
    publish: (_event, payload) => { published.push((payload as { runId: string }).runId) },
    listening: () => listening,
    logger: silent
  })
  t.after(async () => { await engine.close(); await sessions.close(); await upstream.close(); await rm(stateDir, { recursive: true, force: true }) })

  // Nobody watches: the id never left the gateway, so nothing is kept (and no bookkeeping per request).
  const unseen = engine.start({ source: 'openai', input: user('a'), persist: false })
  assert.equal(engine.get(unseen.runId), unseen, 'an active run is found by id')
  assert.equal((await unseen.done).status, 'ok')
  assert.equal(engine.get(unseen.runId), undefined)
  assert.deepEqual(engine.activeRuns(), [])

  // A WS client watches: its events carry the id, so agent.wait must still find it after the end.
  listening = true
  const seen = engine.start({ source: 'responses', input: user('b'), persist: false })
  await seen.done
  assert.ok(published.includes(seen.runId))
  assert.equal(engine.get(seen.runId)?.result?.text, 'echo: b')

  // WS-started runs hand their id to the caller: kept whether or not anyone watches.
  listening = false
  const ws = engine.start({ source: 'agent', input: user('c'), persist: false })
  await ws.done
  assert.equal(engine.get(ws.runId)?.result?.text, 'echo: c')
})
