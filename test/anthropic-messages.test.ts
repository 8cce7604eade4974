// POST /v1/messages and /v1/messages/count_tokens with the official
// @anthropic-ai/sdk against the gateway (the default agent on a fake OpenAI
// upstream): answers, Anthropic's exact event sequence, tools, system,
// images, stop_sequences, both auth headers, and the bad input of issue #18.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Anthropic, { AuthenticationError, BadRequestError, NotFoundError } from '@anthropic-ai/sdk'
import { openAiChatFrames } from './support/fake-upstream.js'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const TOOLS = [{ name: 'get_time', description: 'the time', input_schema: { type: 'object' as const, properties: { tz: { type: 'string' } } } }]

function anthropic (h: HttpGateway, auth: { apiKey?: string, authToken?: string } = { apiKey: h.token! }): Anthropic {
  return new Anthropic({ ...auth, baseURL: h.origin, maxRetries: 0, timeout: 10_000 })
}

test('messages.create: the message shape; system, stop_sequences and sampling reach the model', async (t) => {
  const h = await startHttpGateway(t)
  // This SDK version's types lack `temperature`; the API (and the gateway) take it.
  const params = { model: 'openclaw', max_tokens: 64, system: 'Answer in French.', stop_sequences: ['END'], temperature: 0.5, messages: [{ role: 'user', content: 'hello world' }] }
  const m = await anthropic(h).messages.create(params as Anthropic.MessageCreateParamsNonStreaming)
  assert.match(m.id, /^msg_[0-9a-f]{32}$/)
  assert.deepEqual([m.type, m.role, m.model, m.stop_reason, m.stop_sequence], ['message', 'assistant', 'openclaw', 'end_turn', null])
  assert.deepEqual(m.content, [{ type: 'text', text: 'echo: hello world' }])
  assert.deepEqual(m.usage, { input_tokens: 2, output_tokens: 3 })
  const sent = h.upstream.lastRequest().body
  assert.match(sent.messages[0].content, /Answer in French\./)
  assert.deepEqual([sent.max_tokens, sent.stop, sent.temperature], [64, ['END'], 0.5])

  // A length stop is max_tokens; the system prompt may come as text blocks.
  h.upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['cut'], stopReason: 'length' }) })
  const cut = await anthropic(h).messages.create({ model: 'openclaw', max_tokens: 1, system: [{ type: 'text', text: 'Terse.' }], messages: [{ role: 'user', content: 'long' }] })
  assert.equal(cut.stop_reason, 'max_tokens')
})

test('messages.stream: Anthropic\'s event sequence, assembled by the SDK; no [DONE]', async (t) => {
  const h = await startHttpGateway(t)
  const stream = anthropic(h).messages.stream({ model: 'openclaw', max_tokens: 64, messages: [{ role: 'user', content: 'stream this' }] })
  const deltas: string[] = []
  stream.on('text', (d) => { deltas.push(d) })
  const final = await stream.finalMessage()
  assert.deepEqual(deltas, ['echo: ', 'stream ', 'this'])
  assert.deepEqual(final.content, [{ type: 'text', text: 'echo: stream this' }])
  assert.equal(final.stop_reason, 'end_turn')
  assert.deepEqual(final.usage.output_tokens, 3)

  const res = await h.fetch('/v1/messages', { json: { model: 'openclaw', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'hi' }] } })
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
  const raw = await res.text()
  assert.ok(!raw.includes('[DONE]'))
  const events = raw.split('\n\n').filter((f) => f !== '').map((f) => {
    const [eventLine, dataLine] = f.split('\n')
    const data = JSON.parse(dataLine!.slice(6))
    assert.equal(eventLine, `event: ${data.type}`)
    return data
  })
  assert.deepEqual(events.map((e) => e.type), [
    'message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'
  ])
  assert.deepEqual(events[2].content_block, { type: 'text', text: '' })
  assert.deepEqual(events[3].delta, { type: 'text_delta', text: 'echo: ' })
  assert.deepEqual(events[6].delta, { stop_reason: 'end_turn', stop_sequence: null })
})

test('tools: a tool_use ends the turn; its tool_result continues the conversation (non-streamed and streamed)', async (t) => {
  const h = await startHttpGateway(t)
  const client = anthropic(h)
  const ask = { role: 'user' as const, content: 'call get_time {"tz":"UTC"}' }
  const first = await client.messages.create({ model: 'openclaw', max_tokens: 64, tools: TOOLS, messages: [ask] })
  assert.equal(first.stop_reason, 'tool_use')
  const use = first.content.find((b) => b.type === 'tool_use')
  assert.ok(use !== undefined && use.type === 'tool_use')
  assert.deepEqual([use.name, use.input], ['get_time', { tz: 'UTC' }])
  assert.ok(h.upstream.lastRequest().body.tools.some((tool: any) => tool.function.name === 'get_time'), 'the client tool was offered to the model')

  const second = await client.messages.create({
    model: 'openclaw',
    max_tokens: 64,
    tools: TOOLS,
    messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12:00' }] }]
  })
  assert.deepEqual(second.content, [{ type: 'text', text: 'tool result: 12:00' }])
  const roles = h.upstream.lastRequest().body.messages.slice(1).map((m: any) => m.role)
  assert.deepEqual(roles, ['user', 'assistant', 'tool'])

  const streamed = await client.messages.stream({ model: 'openclaw', max_tokens: 64, tools: TOOLS, tool_choice: { type: 'tool', name: 'get_time' }, messages: [ask] }).finalMessage()
  assert.equal(streamed.stop_reason, 'tool_use')
  assert.deepEqual(streamed.content.map((b) => b.type === 'tool_use' && [b.name, b.input]), [['get_time', { tz: 'UTC' }]])
  assert.deepEqual(h.upstream.lastRequest().body.tool_choice, { type: 'function', function: { name: 'get_time' } })
})

test('images: a base64 image of the current turn reaches the model; an earlier one is a placeholder', async (t) => {
  const h = await startHttpGateway(t)
  const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: PNG_B64 } }
  await anthropic(h).messages.create({
    model: 'openclaw',
    max_tokens: 16,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'old' }, image] },
      { role: 'assistant', content: 'seen' },
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, image] }
    ]
  })
  const sent = h.upstream.lastRequest().body.messages
  assert.deepEqual(sent.at(-1).content, [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_B64}` } }])
  assert.equal(sent.at(-3).content, 'old[image]')
})

test('auth: x-api-key or Bearer, the same gateway token; a wrong key is a 401 in Anthropic\'s shape', async (t) => {
  const h = await startHttpGateway(t)
  const msg = { model: 'openclaw', max_tokens: 8, messages: [{ role: 'user' as const, content: 'hi' }] }
  assert.equal((await anthropic(h, { authToken: h.token! }).messages.create(msg)).content.length, 1)
  await assert.rejects(anthropic(h, { apiKey: 'wrong' }).messages.create(msg), AuthenticationError)
  const res = await h.fetch('/v1/messages', { auth: false, json: msg })
  assert.equal(res.status, 401)
  assert.deepEqual(await res.json(), { type: 'error', error: { type: 'authentication_error', message: 'Unauthorized' } })
})

test('count_tokens: the documented estimate over what is sent', async (t) => {
  const h = await startHttpGateway(t)
  const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: PNG_B64 } }
  const r = await anthropic(h).messages.countTokens({
    model: 'openclaw',
    system: 'abcd',
    tools: TOOLS,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(40) }, image] }]
  })
  const toolChars = 'get_time'.length + 'the time'.length + JSON.stringify(TOOLS[0]!.input_schema).length
  assert.equal(r.input_tokens, Math.ceil((4 + 40 + toolChars) / 4) + 1600)
  assert.equal(h.upstream.requests.length, 0, 'counting calls no model')
})

test('bad input: Anthropic\'s error shape and a 4xx, never 500', async (t) => {
  const h = await startHttpGateway(t)
  const base = { model: 'openclaw', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }
  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['no max_tokens', { model: 'openclaw', messages: base.messages }, 400, 'invalid_request_error', /^max_tokens: Field required$/],
    ['no messages', { model: 'openclaw', max_tokens: 8 }, 400, 'invalid_request_error', /^messages: Field required$/],
    ['tool_use in a user turn', { ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }] }, 400, 'invalid_request_error', /^messages\.0\.content\.0\.type: a user message cannot hold a 'tool_use' block/],
    ['tool_result in an assistant turn', { ...base, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }, { role: 'user', content: 'b' }] }, 400, 'invalid_request_error', /assistant message cannot hold a 'tool_result' block/],
    ['a document block', { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] }, 400, 'invalid_request_error', /cannot hold a 'document' block/],
    ['content neither string nor blocks', { ...base, messages: [{ role: 'user', content: 42 }] }, 400, 'invalid_request_error', /^messages\.0\.content: Input should be a string or a list of content blocks$/],
    ['a bad role', { ...base, messages: [{ role: 'system', content: 'x' }] }, 400, 'invalid_request_error', /^messages\.0\.role: Input should be "user" or "assistant"$/],
    ['an unknown model', { ...base, model: 'claude-opus-4-1' }, 404, 'not_found_error', /^The model 'claude-opus-4-1' does not exist/],
    ['an unknown tool_choice', { ...base, tools: TOOLS, tool_choice: { type: 'tool', name: 'nope' } }, 400, 'invalid_request_error', /^tool_choice\.name/],
    ['10 MB without max_tokens', { model: 'openclaw', messages: [{ role: 'user', content: 'x'.repeat(10 * 1024 * 1024) }] }, 400, 'invalid_request_error', /max_tokens: Field required/],
    ['21 MB', { ...base, messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }] }, 413, 'request_too_large', /Payload too large/]
  ]
  for (const [what, body, status, type, message] of cases) {
    const res = await h.fetch('/v1/messages', { json: body })
    assert.equal(res.status, status, what)
    const err = await res.json() as any
    assert.equal(err.type, 'error', what)
    assert.equal(err.error.type, type, what)
    assert.match(err.error.message, message, what)
  }
  const notJson = await h.fetch('/v1/messages', { method: 'POST', body: '{"model":', headers: { 'content-type': 'application/json' } })
  assert.equal(notJson.status, 400)
  assert.equal(((await notJson.json()) as any).error.type, 'invalid_request_error')
  await assert.rejects(anthropic(h).messages.create({ model: 'openclaw', messages: [] } as any), BadRequestError)
  await assert.rejects(anthropic(h).messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), NotFoundError)
})

test('failures: an upstream rate limit keeps its status; a failure after output ends the stream with an error event', async (t) => {
  const h = await startHttpGateway(t)
  const limit = { type: 'json' as const, status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down', type: 'rate_limit_error' } } }
  h.upstream.enqueue(limit, limit)
  const limited = await h.fetch('/v1/messages', { json: { model: 'openclaw', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] } })
  assert.equal(limited.status, 429)
  assert.equal(limited.headers.get('retry-after'), '1')
  assert.equal(((await limited.json()) as any).error.type, 'rate_limit_error')

  h.upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['half ', 'way'] }).slice(0, 3), after: 'destroy' })
  const raw = await (await h.fetch('/v1/messages', { json: { model: 'openclaw', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'x' }] } })).text()
  const types = raw.split('\n\n').filter((f) => f !== '').map((f) => f.split('\n')[0]!.slice(7))
  assert.deepEqual(types.slice(-2), ['content_block_stop', 'error'])

  const base = h.gw.app.configStore.config
  h.setConfig({ ...base, gateway: { ...base.gateway, http: { endpoints: { messages: { enabled: false } } } } })
  const off = await h.fetch('/v1/messages', { json: { model: 'openclaw', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] } })
  assert.equal(off.status, 404)
  assert.equal(((await off.json()) as any).error.type, 'not_found_error')
})
