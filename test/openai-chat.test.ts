// POST /v1/chat/completions with the official openai SDK against the gateway
// and the fake upstream: answers, streams, client tools, prompt building,
// sessions, routing headers and request validation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { APIError } from 'openai'
import { TEST_TOKEN } from './support/gateway.js'
import { startHttpGateway } from './support/http-gateway.js'
import { connectOk } from './support/ws-client.js'
import { waitFor } from './support/wait.js'

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

test('a non-streamed completion has the OpenAI shape and runs the default agent', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  const c = await client.chat.completions.create({
    model: 'openclaw',
    messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hello there' }]
  })
  assert.match(c.id, /^chatcmpl_/)
  assert.equal(c.object, 'chat.completion')
  assert.equal(c.model, 'openclaw')
  assert.equal(c.choices.length, 1)
  assert.deepEqual(c.choices[0]!.message, { role: 'assistant', content: 'echo: hello there', refusal: null })
  assert.equal(c.choices[0]!.finish_reason, 'stop')
  assert.equal(c.choices[0]!.logprobs, null)
  assert.deepEqual(c.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
  // The system message went into the agent's system prompt; the upstream saw our provider model.
  const sent = upstream.lastRequest().body
  assert.equal(sent.model, 'echo')
  assert.equal(sent.messages[0].role, 'system')
  assert.match(sent.messages[0].content, /Be terse\./)
  assert.deepEqual(sent.messages.at(-1), { role: 'user', content: 'hello there' })
  // Nobody reads deltas of a non-streamed answer: the upstream is asked for one JSON answer.
  assert.equal(sent.stream, false)
  assert.equal(sent.stream_options, undefined)
})

test('a stream passes the SDK helper checks and ends with usage and [DONE]', async (t) => {
  const { client, fetch, upstream } = await startHttpGateway(t)
  const stream = client.chat.completions.stream({ model: 'openclaw/main', messages: [{ role: 'user', content: 'stream me' }], stream_options: { include_usage: true } })
  const deltas: string[] = []
  stream.on('content', (delta) => { deltas.push(delta) })
  const final = await stream.finalChatCompletion()
  assert.deepEqual(deltas, ['echo: ', 'stream ', 'me'])
  assert.equal(final.choices[0]!.message.content, 'echo: stream me')
  assert.equal(final.choices[0]!.finish_reason, 'stop')
  assert.equal(final.usage?.total_tokens, 5)
  assert.equal(upstream.lastRequest().body.stream, true, 'a streamed answer streams from the upstream')

  const res = await fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: 'x' }], stream: true } })
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  assert.equal(res.headers.get('cache-control'), 'no-cache')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', 'security headers survive the hijacked stream')
  const lines = (await res.text()).split('\n\n').filter((l) => l !== '')
  assert.equal(lines.at(-1), 'data: [DONE]')
  const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.slice(6)))
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' })
  assert.ok(chunks.every((c) => c.id === chunks[0].id && c.object === 'chat.completion.chunk' && c.model === 'openclaw'))
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop', 'no usage chunk without include_usage')
})

test('client function tools stream as indexed tool-call deltas in ≤256-char fragments, then the tool result is answered', async (t) => {
  const { client, fetch } = await startHttpGateway(t)
  const tools = [{ type: 'function' as const, function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }]
  const args = JSON.stringify({ q: 'x'.repeat(600) })
  const messages = [{ role: 'user' as const, content: `call lookup ${args}` }]
  const final = await client.chat.completions.stream({ model: 'openclaw', messages, tools }).finalChatCompletion()
  assert.equal(final.choices[0]!.finish_reason, 'tool_calls')
  const call = final.choices[0]!.message.tool_calls![0]!
  assert.equal(call.type, 'function')
  assert.equal(call.type === 'function' && call.function.name, 'lookup')
  assert.equal(call.type === 'function' && call.function.arguments, args)

  const raw = await (await fetch('/v1/chat/completions', { json: { messages, tools, stream: true } })).text()
  const deltas = raw.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).choices[0]?.delta.tool_calls?.[0]).filter(Boolean)
  assert.deepEqual(Object.keys(deltas[0]).sort(), ['function', 'id', 'index', 'type'])
  assert.equal(deltas[0].function.arguments, '')
  const fragments = deltas.slice(1).map((d: any) => d.function.arguments as string)
  assert.ok(fragments.length >= 3 && fragments.every((f) => f.length <= 256))
  assert.ok(deltas.every((d: any) => d.index === 0))
  assert.equal(fragments.join(''), args)

  // The client runs the tool and sends the result back: the trailing tool turn is the run's input.
  const answer = await client.chat.completions.create({
    model: 'openclaw',
    tools,
    messages: [...messages, { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'lookup', arguments: args } }] }, { role: 'tool', tool_call_id: call.id, content: 'found it' }]
  })
  assert.equal(answer.choices[0]!.message.content, 'tool result: found it')
})

test('a non-streamed answer still streams from the upstream while a WS client watches runs live', async (t) => {
  const { client, upstream, gw } = await startHttpGateway(t)
  const { client: ws } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { ws.close() })
  const c = await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'watch me' }] })
  assert.equal(c.choices[0]!.message.content, 'echo: watch me')
  assert.equal(upstream.lastRequest().body.stream, true)
  // The watcher saw the answer arrive as deltas.
  const final = await ws.next((f) => f.type === 'event' && f.event === 'chat' && f.payload.state === 'final')
  assert.equal(final.payload.message.content[0].text, 'echo: watch me')
  // The completion id names the run the watcher saw.
  assert.equal(c.id, `chatcmpl_${String(final.payload.runId)}`)
  assert.ok(ws.frames.some((f) => f.type === 'event' && f.event === 'chat' && f.payload.state === 'delta'))

  // Once nobody watches, the next answer is asked for whole again.
  ws.close()
  await waitFor('the bus to have no listener', () => !gw.app.events.listening())
  await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'alone' }] })
  assert.equal(upstream.lastRequest().body.stream, false)
})

test('a non-streamed tool call has null content and finish_reason tool_calls; tool_choice is passed on', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  const c = await client.chat.completions.create({
    model: 'openclaw',
    messages: [{ role: 'user', content: 'call lookup {"q":1}' }],
    tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    tool_choice: { type: 'function', function: { name: 'lookup' } }
  })
  assert.equal(c.choices[0]!.finish_reason, 'tool_calls')
  assert.equal(c.choices[0]!.message.content, null)
  assert.deepEqual(c.choices[0]!.message.tool_calls?.map((x) => x.type === 'function' && [x.function.name, x.function.arguments]), [['lookup', '{"q":1}']])
  assert.deepEqual(upstream.lastRequest().body.tool_choice, { type: 'function', function: { name: 'lookup' } })
})

test('sampling fields reach the upstream; out-of-range values are readable 400s', async (t) => {
  const { client, upstream, fetch } = await startHttpGateway(t)
  await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, top_p: 0.9, max_tokens: 42, stop: 'END', seed: 7, presence_penalty: 1, frequency_penalty: -1 })
  const sent = upstream.lastRequest().body
  assert.deepEqual([sent.temperature, sent.top_p, sent.max_tokens, sent.stop, sent.seed, sent.presence_penalty, sent.frequency_penalty], [0.5, 0.9, 42, ['END'], 7, 1, -1])

  const cases: Array<[Record<string, unknown>, RegExp, string | null]> = [
    [{ temperature: 3 }, /^Invalid 'temperature': must be <= 2\.$/, 'temperature'],
    [{ top_p: -0.1 }, /^Invalid 'top_p': must be >= 0\.$/, 'top_p'],
    [{ presence_penalty: 2.5 }, /presence_penalty/, 'presence_penalty'],
    [{ max_tokens: 0 }, /^Invalid 'max_tokens': must be >= 1\.$/, 'max_tokens'],
    [{ seed: 1.5 }, /^Invalid 'seed'/, 'seed'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, /^Invalid stop: /, 'stop'],
    [{ response_format: { type: 'xml' } }, /^Invalid response_format: /, 'response_format.type'],
    [{ n: 2 }, /`n` must be 1/, 'n'],
    [{ model: 'openclaw/nope' }, /^Unknown agent 'nope'\.$/, null],
    [{ messages: [] }, /^Invalid 'messages': must NOT have fewer than 1 items\.$/, 'messages'],
    [{ messages: [{ role: 'robot', content: 'x' }] }, /^Invalid 'messages\[0\]\.role': must be one of "system", "developer", "user", "assistant", "tool"\.$/, 'messages[0].role'],
    [{ tools: [{ type: 'web_search' }] }, /only function tools/, 'tools[0].type'],
    [{ tool_choice: { type: 'function', function: { name: 'nope' } } }, /^Invalid tool_choice: 'nope'/, 'tool_choice']
  ]
  for (const [patch, message, param] of cases) {
    const res = await fetch('/v1/chat/completions', { json: { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }], ...patch } })
    const body = await res.json() as any
    assert.equal(res.status, 400, JSON.stringify(patch))
    assert.match(body.error.message, message, JSON.stringify(patch))
    assert.equal(body.error.type, 'invalid_request_error')
    assert.equal(body.error.param, param, JSON.stringify(patch))
  }
})

test('images: data URLs of the current turn become image parts; remote URLs and bad images are refused', async (t) => {
  const { client, upstream, fetch } = await startHttpGateway(t)
  await client.chat.completions.create({
    model: 'openclaw',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'old' }, { type: 'image_url', image_url: { url: PNG } }] },
      { role: 'assistant', content: 'seen' },
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: PNG, detail: 'low' } }] }
    ]
  })
  const sent = upstream.lastRequest().body.messages
  assert.deepEqual(sent.at(-1).content, [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: PNG } }])
  assert.equal(sent.at(-3).content, 'old[image]', 'earlier turns keep a marker, not the bytes')

  const refuse = async (part: unknown, message: RegExp) => {
    const res = await fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: [part] }] } })
    assert.equal(res.status, 400)
    assert.match(((await res.json()) as any).error.message, message)
  }
  await refuse({ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }, /Remote image URLs are not allowed/)
  await refuse({ type: 'image_url', image_url: { url: 'data:text/html;base64,PGI+' } }, /Unsupported image type 'text\/html'/)
  await refuse({ type: 'image_url', image_url: { url: 'data:image/png;base64,***' } }, /Invalid base64/)
  await refuse({ type: 'input_audio', input_audio: {} }, /Unsupported content part type 'input_audio'/)
  const nine = Array.from({ length: 9 }, () => ({ type: 'image_url', image_url: { url: PNG } }))
  const res = await fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: nine }] } })
  assert.match(((await res.json()) as any).error.message, /at most 8 image parts/)
})

test('gateway.http.endpoints.chatCompletions.images.allowUrl passes remote image URLs to the provider', async (t) => {
  const { client, upstream } = await startHttpGateway(t, {
    config: () => ({ gateway: { http: { endpoints: { chatCompletions: { images: { allowUrl: true } } } } } })
  })
  await client.chat.completions.create({
    model: 'openclaw',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }]
  })
  assert.deepEqual(upstream.lastRequest().body.messages.at(-1).content[1], { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } })
})

test('`user` keeps a persisted session agent:<id>:openai-user:<user>; no user is stateless', async (t) => {
  const { client, gw, upstream } = await startHttpGateway(t)
  const sessions = gw.app.sessions
  await client.chat.completions.create({ model: 'openclaw', user: 'Alice', messages: [{ role: 'user', content: 'first' }] })
  await client.chat.completions.create({
    model: 'openclaw',
    user: 'Alice',
    messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'echo: first' }, { role: 'user', content: 'second' }]
  })
  const history = await sessions.history('agent:main:openai-user:alice')
  assert.deepEqual(history.map((m) => m.role), ['user', 'assistant', 'user', 'assistant'])
  // The request's own messages are the context (not the transcript, which would repeat them).
  assert.deepEqual(upstream.lastRequest().body.messages.slice(1).map((m: any) => m.content), ['first', 'echo: first', 'second'])

  const before = (await sessions.list()).total
  await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'anonymous' }] })
  assert.equal((await sessions.list()).total, before, 'a request without user writes no session')
})

test('x-openclaw-message-channel attributes the message to a channel (default webchat); a bad one is a 400', async (t) => {
  const { fetch, gw, upstream } = await startHttpGateway(t)
  const post = (user: string, headers: Record<string, string> = {}) =>
    fetch('/v1/chat/completions', { headers, json: { model: 'openclaw', user, messages: [{ role: 'user', content: 'hi' }] } })
  assert.equal((await post('bob')).status, 200)
  assert.equal((await post('carol', { 'x-openclaw-message-channel': 'Telegram' })).status, 200)
  const history = await gw.app.sessions.history('agent:main:openai-user:carol')
  assert.equal(history[0]!.channel, 'telegram')
  assert.equal(history[1]!.channel, undefined, 'only the incoming message carries it')
  const rows = new Map((await gw.app.sessions.list()).sessions.map((e) => [e.key, e]))
  assert.equal(rows.get('agent:main:openai-user:bob')?.channel, 'webchat')
  assert.equal(rows.get('agent:main:openai-user:carol')?.channel, 'telegram')

  const calls = upstream.requests.length
  const res = await post('dave', { 'x-openclaw-message-channel': 'no spaces/please' })
  assert.equal(res.status, 400)
  assert.equal(((await res.json()) as any).error.code, 'invalid_message_channel')
  assert.equal(upstream.requests.length, calls)
})

test('routing headers: agent id, session key (reserved namespaces refused), model override', async (t) => {
  const { fetch, gw, upstream } = await startHttpGateway(t, {
    config: () => ({ agents: { defaults: { model: 'fake/echo' }, entries: { main: { default: true }, research: { name: 'Research' } } } })
  })
  const post = (headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
    fetch('/v1/chat/completions', { headers, json: { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }], ...extra } })

  let res = await post({ 'x-openclaw-agent-id': 'research', 'x-openclaw-session-key': 'thread-7' })
  assert.equal(res.status, 200)
  assert.equal((await gw.app.sessions.history('agent:research:thread-7')).length, 2)
  assert.match(upstream.lastRequest().body.messages[0].content, /You are Research/)

  res = await post({ 'x-openclaw-agent-id': 'ghost' })
  assert.deepEqual(((await res.json()) as any).error.message, "Unknown agent 'ghost'.")
  for (const key of ['cron:nightly', 'agent:main:subagent:x', 'acp:1']) {
    res = await post({ 'x-openclaw-session-key': key })
    assert.equal(res.status, 400, key)
    assert.equal(((await res.json()) as any).error.message, '`x-openclaw-session-key` cannot use reserved internal session namespaces.')
  }

  res = await post({ 'x-openclaw-model': 'fake/other-model' })
  assert.equal(res.status, 200)
  assert.equal(upstream.lastRequest().body.model, 'other-model')
  res = await post({ 'x-openclaw-model': 'nowhere/model' })
  assert.equal(res.status, 400)
  assert.match(((await res.json()) as any).error.message, /^Model 'nowhere\/model' is not allowed for agent 'main': unknown model provider "nowhere".*models\.providers\.nowhere/)
  res = await post({ 'x-openclaw-model': 'has space' })
  assert.equal(((await res.json()) as any).error.message, 'Invalid `x-openclaw-model`.')
})

test('a system-only request (LibreChat titles) is answered from its last message', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  const c = await client.chat.completions.create({ model: 'openclaw', user: '', max_tokens: 16, messages: [{ role: 'system', content: 'Write a title' }] })
  assert.equal(c.choices[0]!.message.content, 'echo: Write a title')
  assert.equal(upstream.lastRequest().body.max_tokens, 16)
})

test('no model configured is a 503 naming the key to set', async (t) => {
  const { fetch } = await startHttpGateway(t, { config: () => ({ agents: {} }) })
  const res = await fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: 'hi' }] } })
  assert.equal(res.status, 503)
  assert.equal(res.headers.get('x-should-retry'), 'false')
  assert.match(((await res.json()) as any).error.message, /set agents\.defaults\.model/)
})

test('an Anthropic upstream serves a chat completion', async (t) => {
  const { client, upstream } = await startHttpGateway(t, {
    config: (up) => ({
      models: { providers: { claude: { baseUrl: up.url, api: 'anthropic-messages', apiKey: 'sk-ant-test', models: [{ id: 'claude-test' }] } } },
      agents: { defaults: { model: 'claude/claude-test' } }
    })
  })
  const c = await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'bonjour' }] })
  assert.equal(c.choices[0]!.message.content, 'echo: bonjour')
  assert.equal(upstream.lastRequest().path, '/v1/messages')
  assert.equal(upstream.lastRequest().headers['x-api-key'], 'sk-ant-test')
})

test('the SDK surfaces gateway errors as APIError with status and message', async (t) => {
  const { client } = await startHttpGateway(t)
  await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
    assert.ok(err instanceof APIError)
    assert.equal(err.status, 404)
    assert.match(err.message, /^404 The model 'nope' does not exist\./)
    assert.equal((err as APIError).code, 'model_not_found')
    return true
  })
})
