import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createProvider, type ProviderAdapter, type StreamEvent } from '../src/providers/index.js'
import { fakeEmbedding, openAiChatFrames, sseFrame, startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js'
import { bothWays, collect, comparableEvents, ECHO_TEXT_EVENTS, ECHO_WEATHER_CALL_EVENTS, SHARED_SYSTEM, SHARED_TOOLS, sharedPartsTwice } from './support/stream.js'

let fake: FakeUpstream
let provider: ProviderAdapter
let apiKey = 'sk-test-completions-key-0001'

before(async () => {
  fake = await startFakeUpstream()
  provider = createProvider(
    'local',
    { baseUrl: fake.openaiBaseUrl, api: 'openai-completions', headers: { 'X-Custom': 'yes' } },
    { getApiKey: () => apiKey }
  )
})
after(async () => {
  await provider.close()
  await fake.close()
})

const textOf = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('')

test('streams text deltas, usage and done, and sends a streaming request with usage enabled', async () => {
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['Hel', 'lo', '!'], usage: { input: 11, output: 3 } }) })
  const events = await collect(
    provider, {
      model: 'gpt-test',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      maxTokens: 50,
      temperature: 0.2,
      stop: ['END'],
      seed: 7
    }
  )
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'Hel' },
    { type: 'text-delta', text: 'lo' },
    { type: 'text-delta', text: '!' },
    { type: 'usage', usage: { inputTokens: 11, outputTokens: 3, totalTokens: 14 } },
    { type: 'done', stopReason: 'stop' }
  ])
  const sent = fake.lastRequest()
  assert.equal(sent.method, 'POST')
  assert.equal(sent.path, '/v1/chat/completions')
  assert.equal(sent.headers.authorization, `Bearer ${apiKey}`)
  assert.equal(sent.headers['x-custom'], 'yes')
  assert.deepEqual(sent.body, {
    model: 'gpt-test',
    messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 50,
    temperature: 0.2,
    stop: ['END'],
    seed: 7
  })
})

test('maps tool calls, tool results, tools and images to the chat wire format', async () => {
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'ok' }) })
  await collect(
    provider, {
      model: 'gpt-test',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', mimeType: 'image/png', data: 'AAAA' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: 'sunny' },
        { role: 'tool', toolCallId: 'call_2', name: 'get_weather', content: 'boom', isError: true }
      ],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } }],
      toolChoice: { name: 'get_weather' }
    }
  )
  const body = fake.lastRequest().body
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }
      ]
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    { role: 'tool', tool_call_id: 'call_2', content: 'Error: boom' }
  ])
  assert.deepEqual(body.tools, [
    { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } } }
  ])
  assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } })
})

test('turns streamed tool call deltas into start/delta events with tool_calls stop reason', async () => {
  fake.enqueue({
    type: 'sse',
    frames: openAiChatFrames({
      toolCalls: [
        { id: 'call_a', name: 'search', arguments: ['{"q":', '"cats"}'] },
        { id: 'call_b', name: 'lookup', arguments: '{}' }
      ]
    })
  })
  const events = await collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'go' }] })
  assert.deepEqual(events, [
    { type: 'tool-call-start', index: 0, id: 'call_a', name: 'search' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"cats"}' },
    { type: 'tool-call-start', index: 1, id: 'call_b', name: 'lookup' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    { type: 'done', stopReason: 'tool_calls' }
  ])
})

test('maps finish_reason length and tolerates a stream without [DONE]', async () => {
  const frames = openAiChatFrames({ text: 'cut', stopReason: 'length' }).filter((f) => f !== 'data: [DONE]\n\n')
  fake.enqueue({ type: 'sse', frames })
  const events = await collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })
  assert.deepEqual(events.at(-1), { type: 'done', stopReason: 'length' })
})

test('reads the API key per request so a secrets reload takes effect', async () => {
  apiKey = 'sk-rotated-key-0002'
  await collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })
  assert.equal(fake.lastRequest().headers.authorization, 'Bearer sk-rotated-key-0002')
})

test('omits the authorization header when no key is configured (local servers)', async (t) => {
  const keyless = createProvider('ollama', { baseUrl: fake.openaiBaseUrl, api: 'openai-completions' }, { getApiKey: () => undefined })
  t.after(() => keyless.close())
  const events = await collect(keyless, { model: 'llama', messages: [{ role: 'user', content: 'hello there' }] })
  assert.equal(fake.lastRequest().headers.authorization, undefined)
  assert.equal(textOf(events), 'echo: hello there')
})

test('echo model: replies with the last user message, calls offered tools, reports tool results', async () => {
  const tools = [{ name: 'get_weather', parameters: { type: 'object' } }]
  const plain = await collect(provider, { model: 'm', messages: [{ role: 'user', content: 'ping pong' }] })
  assert.equal(textOf(plain), 'echo: ping pong')
  assert.deepEqual(plain.find((e) => e.type === 'usage'), { type: 'usage', usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 } })

  const calling = await collect(
    provider, { model: 'm', tools, messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }] }
  )
  const start = calling.find((e) => e.type === 'tool-call-start')
  assert.equal(start?.type === 'tool-call-start' && start.name, 'get_weather')
  assert.equal(calling.flatMap((e) => (e.type === 'tool-call-delta' ? [e.argumentsDelta] : [])).join(''), '{"city":"Oslo"}')
  assert.deepEqual(calling.at(-1), { type: 'done', stopReason: 'tool_calls' })

  const afterTool = await collect(
    provider, {
      model: 'm',
      tools,
      messages: [
        { role: 'user', content: 'call get_weather {}' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', name: 'get_weather', content: 'rainy' }
      ]
    }
  )
  assert.equal(textOf(afterTool), 'tool result: rainy')
})

test('embeddings: posts to /embeddings and returns vectors in input order with usage', async () => {
  assert.ok(provider.embed)
  const result = await provider.embed({ model: 'embed-small', input: ['alpha beta', 'gamma'], dimensions: 4 })
  assert.deepEqual(result.embeddings, [fakeEmbedding('alpha beta', 4), fakeEmbedding('gamma', 4)])
  assert.deepEqual(result.usage, { promptTokens: 3, totalTokens: 3 })
  const sent = fake.lastRequest()
  assert.equal(sent.path, '/v1/embeddings')
  assert.deepEqual(sent.body, { model: 'embed-small', input: ['alpha beta', 'gamma'], encoding_format: 'float', dimensions: 4 })

  fake.enqueue({
    type: 'json',
    body: { data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }], usage: { prompt_tokens: 2, total_tokens: 2 } }
  })
  const reordered = await provider.embed({ model: 'embed-small', input: ['a', 'b'] })
  assert.deepEqual(reordered.embeddings, [[1], [2]])
})

test('embeddings: a malformed body is an invalid_response error', async () => {
  fake.enqueue({ type: 'json', body: { data: [{ index: 0, embedding: 'QUJD' }] } })
  await assert.rejects(provider.embed!({ model: 'e', input: ['a'] }), { code: 'PROVIDER_INVALID_RESPONSE' })
})

test('reuses keep-alive connections across calls instead of connecting per request', async () => {
  const ports: number[] = []
  for (let i = 0; i < 5; i++) {
    await collect(provider, { model: 'm', messages: [{ role: 'user', content: `n${i}` }] })
    ports.push(fake.lastRequest().remotePort)
  }
  // undici may open a second socket when a call starts in the same tick the last one released
  // its socket; what matters is that the count does not grow with the number of calls.
  assert.ok(new Set(ports).size <= 2, `connections used: ${ports.join(', ')}`)
})

test('fake upstream: path-scoped replies wait for their path; non-stream chat and /models echo', async () => {
  fake.enqueue({ type: 'json', path: '/embeddings', body: { data: [{ index: 0, embedding: [42] }] } })
  const chat = await collect(provider, { model: 'm', messages: [{ role: 'user', content: 'first' }] })
  assert.equal(textOf(chat), 'echo: first')
  assert.deepEqual((await provider.embed!({ model: 'e', input: ['x'] })).embeddings, [[42]])

  const json = await fetch(`${fake.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'plain' }] })
  }).then((r) => r.json() as Promise<any>)
  assert.equal(json.choices[0].message.content, 'echo: plain')
  assert.deepEqual(json.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
  const models = (await fetch(`${fake.openaiBaseUrl}/models`).then((r) => r.json())) as any
  assert.equal(models.data[0].id, 'echo-model')
})

// ---------- non-streamed answers (stream: false) ----------

/** The same request streamed, then as one JSON answer; returns both event lists and the second body. */
test('stream: false asks for one JSON completion without stream_options and yields the text events of the streamed echo', async () => {
  const { streamed, whole, body } = await bothWays(provider, fake, { model: 'gpt-test', messages: [{ role: 'user', content: 'same either way' }] })
  assert.deepEqual(body, { model: 'gpt-test', messages: [{ role: 'user', content: 'same either way' }], stream: false })
  assert.deepEqual(whole, ECHO_TEXT_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('stream: false yields the tool call events of the streamed echo', async () => {
  const tools = [{ name: 'get_weather', parameters: { type: 'object' } }]
  const { streamed, whole, body } = await bothWays(provider, fake, {
    model: 'gpt-test',
    tools,
    messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }]
  })
  assert.equal(body.stream, false)
  assert.equal('stream_options' in body, false)
  assert.deepEqual(comparableEvents(whole), ECHO_WEATHER_CALL_EVENTS)
  assert.deepEqual(comparableEvents(whole), comparableEvents(streamed))
})

test('an error payload in a 200 JSON body is a classified ProviderError', async () => {
  fake.enqueue({
    type: 'json',
    body: { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', code: 'context_length_exceeded' } }
  })
  await assert.rejects(collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: false }), {
    name: 'ProviderError',
    kind: 'context_length',
    upstreamMessage: "This model's maximum context length is 8192 tokens"
  })
})

test('a JSON body without choices[0].message is an invalid response', async () => {
  fake.enqueue({ type: 'json', body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [] } })
  await assert.rejects(collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: false }), {
    kind: 'invalid_response',
    code: 'PROVIDER_INVALID_RESPONSE'
  })
})

test('stream: false still decodes a server that answers with an event stream anyway', async () => {
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['streamed ', 'regardless'], usage: { input: 1, output: 2 } }) })
  const events = await collect(provider, { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: false })
  assert.equal(fake.lastRequest().body.stream, false)
  assert.equal(textOf(events), 'streamed regardless')
  assert.deepEqual(events.slice(-2), [
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } },
    { type: 'done', stopReason: 'stop' }
  ])
})

test('multi-byte characters split across upstream reads arrive whole', async () => {
  // "é" (2 bytes), "€" (3) and "🙂" (4), each cut between two writes that reach us as separate reads.
  const text = 'café € 🙂 ok'
  const body = Buffer.from(openAiChatFrames({ text: [text] }).map(sseFrame).join(''))
  const cuts = ['é', '€', '🙂'].map((ch) => body.indexOf(Buffer.from(ch)) + 1)
  fake.enqueue({
    type: 'custom',
    handle: async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let from = 0
      for (const cut of cuts) {
        res.write(body.subarray(from, cut))
        from = cut
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      res.end(body.subarray(from))
    }
  })
  const events = await collect(provider, { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
  assert.equal(textOf(events), text)
  assert.deepEqual(events.at(-1), { type: 'done', stopReason: 'stop' })
})

test("the engine's Preencoded system prompt and tool list: the same wire body on every call, and as plain values", async () => {
  await sharedPartsTwice(provider, fake, 'm', () => { fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'ok' }) }) }, (text) => ({
    model: 'm',
    messages: [{ role: 'system', content: SHARED_SYSTEM }, { role: 'user', content: text }],
    stream: true,
    stream_options: { include_usage: true },
    tools: [{ type: 'function', function: { name: 'read', description: 'Reads a file', parameters: SHARED_TOOLS[0]!.parameters } }]
  }))
})
