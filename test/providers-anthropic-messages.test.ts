import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createProvider, type ProviderAdapter } from '../src/providers/index.js'
import { anthropicFrames, startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js'
import { bothWays, collect, comparableEvents, ECHO_TEXT_EVENTS, ECHO_WEATHER_CALL_EVENTS, SHARED_SYSTEM, SHARED_TOOLS, sharedPartsTwice } from './support/stream.js'

let fake: FakeUpstream
let provider: ProviderAdapter
const KEY = 'sk-ant-api03-secret-anthropic-key'

before(async () => {
  fake = await startFakeUpstream()
  provider = createProvider(
    'anthropic',
    { baseUrl: fake.url, api: 'anthropic-messages', models: [{ id: 'claude-big', maxTokens: 32000 }] },
    { getApiKey: () => KEY }
  )
})
after(async () => {
  await provider.close()
  await fake.close()
})

test('streams text with usage and sends Anthropic headers, system and default max_tokens', async () => {
  fake.enqueue({ type: 'sse', frames: anthropicFrames({ text: ['Hi', ' there'], usage: { input: 12, output: 4 } }) })
  const events = await collect(
    provider, {
      model: 'claude-small',
      messages: [
        { role: 'system', content: 'rule one' },
        { role: 'system', content: 'rule two' },
        { role: 'user', content: 'hello' }
      ],
      stop: ['STOP']
    }
  )
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Hi' },
    { type: 'text-delta', text: ' there' },
    { type: 'usage', usage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 } },
    { type: 'done', stopReason: 'stop' }
  ])
  const sent = fake.lastRequest()
  assert.equal(sent.path, '/v1/messages')
  assert.equal(sent.headers['x-api-key'], KEY)
  assert.equal(sent.headers['anthropic-version'], '2023-06-01')
  assert.equal(sent.headers.authorization, undefined)
  assert.deepEqual(sent.body, {
    model: 'claude-small',
    max_tokens: 4096,
    system: 'rule one\n\nrule two',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
    stream: true,
    stop_sequences: ['STOP']
  })
})

test('max_tokens defaults to the configured model limit', async () => {
  fake.enqueue({ type: 'sse', frames: anthropicFrames({ text: 'ok' }) })
  await collect(provider, { model: 'claude-big', messages: [{ role: 'user', content: 'x' }] })
  assert.equal(fake.lastRequest().body.max_tokens, 32000)
})

test('maps tool calls to tool_use, tool results to tool_result user blocks, merging same-role turns', async () => {
  fake.enqueue({ type: 'sse', frames: anthropicFrames({ text: 'done' }) })
  await collect(
    provider, {
      model: 'claude-small',
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        { role: 'user', content: [{ type: 'image', url: 'data:image/jpeg;base64,QUJD' }] },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [
            { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: 'toolu_2', name: 'weather', arguments: '{"city":"Rome"}' }
          ]
        },
        { role: 'tool', toolCallId: 'toolu_1', name: 'weather', content: 'sunny' },
        { role: 'tool', toolCallId: 'toolu_2', name: 'weather', content: 'no data', isError: true },
        { role: 'user', content: 'thanks' }
      ],
      tools: [{ name: 'weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'required'
    }
  )
  const body = fake.lastRequest().body
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'weather in Paris and Rome?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'QUJD' } }
      ]
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } }
      ]
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no data', is_error: true },
        { type: 'text', text: 'thanks' }
      ]
    }
  ])
  assert.deepEqual(body.tools, [
    { name: 'weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }
  ])
  assert.deepEqual(body.tool_choice, { type: 'any' })
})

test('turns tool_use blocks and input_json deltas into tool call events', async () => {
  fake.enqueue({
    type: 'sse',
    frames: anthropicFrames({
      text: 'One moment.',
      toolCalls: [{ id: 'toolu_9', name: 'calc', arguments: ['{"expr":', '"2+2"}'] }],
      usage: { input: 30, output: 15 }
    })
  })
  const events = await collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: '2+2?' }] })
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'One moment.' },
    { type: 'tool-call-start', index: 0, id: 'toolu_9', name: 'calc' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"expr":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"2+2"}' },
    { type: 'usage', usage: { inputTokens: 30, outputTokens: 15, totalTokens: 45 } },
    { type: 'done', stopReason: 'tool_calls' }
  ])
})

test('max_tokens stop reason maps to length; cached input tokens count as input', async () => {
  const frames = anthropicFrames({ text: 'long', stopReason: 'max_tokens', usage: { input: 10, output: 5 } })
  frames[0] = {
    event: 'message_start',
    data: { type: 'message_start', message: { usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 1 } } }
  }
  fake.enqueue({ type: 'sse', frames })
  const events = await collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: 'x' }] })
  assert.deepEqual(events.slice(-2), [
    { type: 'usage', usage: { inputTokens: 100, outputTokens: 5, totalTokens: 105 } },
    { type: 'done', stopReason: 'length' }
  ])
})

test('an error event mid-stream (overloaded) is a retryable server error', async () => {
  fake.enqueue({
    type: 'sse',
    frames: [
      ...anthropicFrames({ text: 'par' }).slice(0, 4),
      { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }
    ]
  })
  await assert.rejects(collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: 'x' }] }), {
    kind: 'server',
    code: 'PROVIDER_SERVER',
    retryable: true,
    upstreamMessage: 'Overloaded'
  })
})

test('has no embeddings and still accepts a baseUrl that ends in /v1', async (t) => {
  assert.equal(provider.embed, undefined)
  const v1 = createProvider('anthropic-v1', { baseUrl: `${fake.url}/v1/`, api: 'anthropic-messages' }, { getApiKey: () => KEY })
  t.after(() => v1.close())
  const events = await collect(v1, { model: 'claude-small', messages: [{ role: 'user', content: 'via v1' }] })
  assert.equal(fake.lastRequest().path, '/v1/messages')
  assert.equal(events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join(''), 'echo: via v1')
})

// ---------- non-streamed answers (stream: false) ----------

/** The same request streamed, then as one JSON answer; returns both event lists and the second body. */
test('stream: false asks for one JSON message and yields the text events of the streamed echo', async () => {
  const { streamed, whole, body } = await bothWays(provider, fake, { model: 'claude-small', messages: [{ role: 'user', content: 'same either way' }] })
  assert.deepEqual(body, {
    model: 'claude-small',
    max_tokens: 4096,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'same either way' }] }],
    stream: false
  })
  assert.deepEqual(whole, ECHO_TEXT_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('stream: false yields the tool call events of the streamed echo', async () => {
  const tools = [{ name: 'get_weather', parameters: { type: 'object' } }]
  const { streamed, whole, body } = await bothWays(provider, fake, {
    model: 'claude-small',
    tools,
    messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }]
  })
  assert.equal(body.stream, false)
  assert.deepEqual(comparableEvents(whole), ECHO_WEATHER_CALL_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('a JSON message: empty tool input is {}, thinking is skipped, cached input counts, max_tokens is length', async () => {
  fake.enqueue({
    type: 'json',
    body: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'text', text: 'Listing.' },
        { type: 'tool_use', id: 'toolu_1', name: 'list', input: {} }
      ],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 85, output_tokens: 7 }
    }
  })
  const events = await collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: 'x' }], stream: false })
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Listing.' },
    { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'list' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
    { type: 'usage', usage: { inputTokens: 100, outputTokens: 7, totalTokens: 107 } },
    { type: 'done', stopReason: 'length' }
  ])
})

test('an error payload in a 200 JSON body is a classified ProviderError', async () => {
  fake.enqueue({ type: 'json', body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } })
  await assert.rejects(collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: 'x' }], stream: false }), {
    name: 'ProviderError',
    kind: 'server',
    retryable: true,
    upstreamMessage: 'Overloaded'
  })
})

test('a JSON body that is not a message is an invalid response', async () => {
  fake.enqueue({ type: 'json', body: { id: 'msg_2', type: 'message', role: 'assistant', content: 'plain text' } })
  await assert.rejects(collect(provider, { model: 'claude-small', messages: [{ role: 'user', content: 'x' }], stream: false }), {
    kind: 'invalid_response',
    code: 'PROVIDER_INVALID_RESPONSE'
  })
})

test("the engine's Preencoded system prompt and tool list: the same wire body on every call, and as plain values, system as a string", async () => {
  await sharedPartsTwice(provider, fake, 'claude-small', () => { fake.enqueue({ type: 'sse', frames: anthropicFrames({ text: 'ok' }) }) }, (text) => ({
    model: 'claude-small',
    max_tokens: 4096,
    system: SHARED_SYSTEM,
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    stream: true,
    tools: [{ name: 'read', description: 'Reads a file', input_schema: SHARED_TOOLS[0]!.parameters }]
  }))
})
