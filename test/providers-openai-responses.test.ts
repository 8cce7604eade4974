import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createProvider, type ModelRequest, type ProviderAdapter, type StreamEvent } from '../src/providers/index.js'
import { fakeEmbedding, responsesFrames, startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js'
import { bothWays, collect, comparableEvents, ECHO_TEXT_EVENTS, ECHO_WEATHER_CALL_EVENTS, SHARED_SYSTEM, SHARED_TOOLS, sharedPartsTwice } from './support/stream.js'

let fake: FakeUpstream
let provider: ProviderAdapter

before(async () => {
  fake = await startFakeUpstream()
  provider = createProvider('openai', { baseUrl: fake.openaiBaseUrl, api: 'openai-responses' }, { getApiKey: () => 'sk-responses-key-000' })
})
after(async () => {
  await provider.close()
  await fake.close()
})

test('streams output_text deltas and completes with usage', async () => {
  fake.enqueue({ type: 'sse', frames: responsesFrames({ text: ['Bon', 'jour'], usage: { input: 9, output: 2 } }) })
  const events = await collect(
    provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], maxTokens: 64, topP: 0.5, stop: ['x'] }
  )
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Bon' },
    { type: 'text-delta', text: 'jour' },
    { type: 'usage', usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11 } },
    { type: 'done', stopReason: 'stop' }
  ])
  const sent = fake.lastRequest()
  assert.equal(sent.path, '/v1/responses')
  assert.equal(sent.headers.authorization, 'Bearer sk-responses-key-000')
  // stop has no Responses equivalent and must not be sent (the API would reject it).
  assert.deepEqual(sent.body, {
    model: 'gpt-5',
    input: [{ type: 'message', role: 'user', content: 'hi' }],
    stream: true,
    store: false,
    max_output_tokens: 64,
    top_p: 0.5
  })
})

test('maps history to message, function_call and function_call_output items', async () => {
  fake.enqueue({ type: 'sse', frames: responsesFrames({ text: 'ok' }) })
  await collect(
    provider, {
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image', url: 'https://x/y.png' }] },
        { role: 'assistant', content: 'checking', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"id":1}' }] },
        { role: 'tool', toolCallId: 'call_9', name: 'lookup', content: 'found' }
      ],
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
      toolChoice: 'required',
      responseFormat: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } }
    }
  )
  const body = fake.lastRequest().body
  assert.deepEqual(body.input, [
    { type: 'message', role: 'system', content: 'sys' },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'see' },
        { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }
      ]
    },
    { type: 'message', role: 'assistant', content: 'checking' },
    { type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '{"id":1}' },
    { type: 'function_call_output', call_id: 'call_9', output: 'found' }
  ])
  assert.deepEqual(body.tools, [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false }])
  assert.equal(body.tool_choice, 'required')
  assert.deepEqual(body.text, { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } })
})

test('turns function_call items and argument deltas into tool call events', async () => {
  fake.enqueue({
    type: 'sse',
    frames: responsesFrames({
      text: 'Let me check. ',
      toolCalls: [{ id: 'call_x', name: 'search', arguments: ['{"q":', '"dogs"}'] }],
      usage: { input: 5, output: 8 }
    })
  })
  const events = await collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'find dogs' }] })
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Let me check. ' },
    { type: 'tool-call-start', index: 0, id: 'call_x', name: 'search' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"dogs"}' },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 8, totalTokens: 13 } },
    { type: 'done', stopReason: 'tool_calls' }
  ])
})

test('uses function_call_arguments.done when an implementation sends no deltas', async () => {
  const ev = (type: string, rest: object) => ({ event: type, data: { type, ...rest } })
  fake.enqueue({
    type: 'sse',
    frames: [
      ev('response.output_item.added', { output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f' } }),
      ev('response.function_call_arguments.done', { output_index: 0, item_id: 'fc_1', arguments: '{"a":1}' }),
      ev('response.completed', { response: { status: 'completed' } })
    ]
  })
  const events = await collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] })
  assert.deepEqual(events, [
    { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
    { type: 'done', stopReason: 'tool_calls' }
  ])
})

test('response.incomplete with max_output_tokens maps to length', async () => {
  fake.enqueue({ type: 'sse', frames: responsesFrames({ text: 'trunc', stopReason: 'max_output_tokens', usage: { input: 1, output: 1 } }) })
  const events = await collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] })
  assert.deepEqual(events.at(-1), { type: 'done', stopReason: 'length' })
})

test('response.failed mid-stream becomes a classified ProviderError', async () => {
  fake.enqueue({
    type: 'sse',
    frames: [
      ...responsesFrames({ text: 'partial' }).slice(0, 3),
      { data: { type: 'response.failed', response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } } } }
    ]
  })
  const seen: StreamEvent[] = []
  await assert.rejects(
    provider.streamTo({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] }, (batch) => { seen.push(...batch) }),
    { name: 'ProviderError', kind: 'rate_limit', retryable: true, upstreamMessage: 'slow down' }
  )
  assert.deepEqual(seen, [{ type: 'text-delta', text: 'partial' }])
})

test('a stream that ends without response.completed is an invalid response', async () => {
  fake.enqueue({ type: 'sse', frames: responsesFrames({ text: 'abc' }).slice(0, -1) })
  await assert.rejects(collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] }), {
    code: 'PROVIDER_INVALID_RESPONSE'
  })
})

test('echo model speaks the Responses protocol too', async () => {
  const events = await collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'round trip' }] })
  assert.equal(events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join(''), 'echo: round trip')
})

test('embeddings are available on the Responses adapter as well', async () => {
  const result = await provider.embed!({ model: 'e', input: ['one'] })
  assert.deepEqual(result.embeddings, [fakeEmbedding('one')])
  assert.equal(fake.lastRequest().path, '/v1/embeddings')
})

// ---------- non-streamed answers (stream: false) ----------

/** The same request streamed, then as one JSON answer; returns both event lists and the second body. */
test('stream: false asks for one JSON answer and yields the text events of the streamed echo', async () => {
  const { streamed, whole, body } = await bothWays(provider, fake, { model: 'gpt-5', messages: [{ role: 'user', content: 'same either way' }] })
  assert.deepEqual(body, { model: 'gpt-5', input: [{ type: 'message', role: 'user', content: 'same either way' }], stream: false, store: false })
  assert.deepEqual(whole, ECHO_TEXT_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('stream: false yields the tool call events of the streamed echo', async () => {
  const tools = [{ name: 'get_weather', parameters: { type: 'object' } }]
  const { streamed, whole, body } = await bothWays(provider, fake, {
    model: 'gpt-5',
    tools,
    messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }]
  })
  assert.equal(body.stream, false)
  assert.deepEqual(comparableEvents(whole), ECHO_WEATHER_CALL_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('a JSON answer maps refusals, reasoning items, call ids and incomplete status as the stream does', async () => {
  fake.enqueue({
    type: 'json',
    body: {
      id: 'resp_1',
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
      error: null,
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure. ' }, { type: 'refusal', refusal: 'No.' }] },
        { type: 'function_call', id: 'fc_only', name: 'f', arguments: '' }
      ]
    }
  })
  const events = await collect(provider, { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }], stream: false })
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Sure. ' },
    { type: 'text-delta', text: 'No.' },
    { type: 'tool-call-start', index: 0, id: 'fc_only', name: 'f' },
    { type: 'done', stopReason: 'content_filter' }
  ])
})

test('an error payload or a failed response in a 200 JSON body is a classified ProviderError', async () => {
  const req: ModelRequest = { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }], stream: false }
  fake.enqueue({ type: 'json', body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } })
  await assert.rejects(collect(provider, req), { name: 'ProviderError', kind: 'auth', upstreamMessage: 'Incorrect API key provided' })

  fake.enqueue({
    type: 'json',
    body: { id: 'resp_2', object: 'response', status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' }, output: [] }
  })
  await assert.rejects(collect(provider, req), { name: 'ProviderError', kind: 'rate_limit', retryable: true, upstreamMessage: 'slow down' })
})

test('a JSON body that is not a finished response is an invalid response', async () => {
  const req: ModelRequest = { model: 'gpt-5', messages: [{ role: 'user', content: 'x' }], stream: false }
  fake.enqueue({ type: 'json', body: { id: 'resp_3', object: 'response', status: 'completed' } })
  await assert.rejects(collect(provider, req), { kind: 'invalid_response', code: 'PROVIDER_INVALID_RESPONSE' })

  // A background response that has not finished has no stream equivalent.
  fake.enqueue({ type: 'json', body: { id: 'resp_4', object: 'response', status: 'in_progress', output: [] } })
  await assert.rejects(collect(provider, req), { kind: 'invalid_response' })
})

test("the engine's Preencoded system prompt and tool list: the same wire body on every call, and as plain values", async () => {
  await sharedPartsTwice(provider, fake, 'gpt-5', () => { fake.enqueue({ type: 'sse', frames: responsesFrames({ text: 'ok' }) }) }, (text) => ({
    model: 'gpt-5',
    input: [{ type: 'message', role: 'system', content: SHARED_SYSTEM }, { type: 'message', role: 'user', content: text }],
    stream: true,
    store: false,
    tools: [{ type: 'function', name: 'read', description: 'Reads a file', parameters: SHARED_TOOLS[0]!.parameters, strict: false }]
  }))
})
