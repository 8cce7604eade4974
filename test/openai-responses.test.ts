// POST /v1/responses with the official openai SDK: answers, the streamed
// event sequence, function tools answered through previous_response_id,
// store:false, max_output_tokens and instructions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openAiChatFrames } from './support/fake-upstream.js'
import { TEST_TOKEN } from './support/gateway.js'
import { startHttpGateway } from './support/http-gateway.js'
import { connectOk } from './support/ws-client.js'

test('a non-streamed response has the Response shape', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  const r = await client.responses.create({ model: 'openclaw', input: 'hello world', instructions: 'Answer in French.' })
  assert.match(r.id, /^resp_/)
  assert.equal(r.object, 'response')
  assert.equal(r.status, 'completed')
  assert.equal(r.model, 'openclaw')
  assert.equal(r.output_text, 'echo: hello world')
  assert.equal(r.output.length, 1)
  const item = r.output[0]!
  assert.equal(item.type, 'message')
  assert.deepEqual(item.type === 'message' && item.content, [{ type: 'output_text', text: 'echo: hello world', annotations: [] }])
  assert.equal(r.usage?.total_tokens, 5)
  assert.equal(r.instructions, 'Answer in French.')
  assert.match(upstream.lastRequest().body.messages[0].content, /Answer in French\./)
})

test('a streamed response emits the contract event sequence and the SDK assembles it', async (t) => {
  const { client, fetch } = await startHttpGateway(t)
  const stream = client.responses.stream({ model: 'openclaw', input: [{ role: 'user', content: 'stream this' }] })
  const deltas: string[] = []
  stream.on('response.output_text.delta', (e) => { deltas.push(e.delta) })
  const final = await stream.finalResponse()
  assert.deepEqual(deltas, ['echo: ', 'stream ', 'this'])
  assert.equal(final.output_text, 'echo: stream this')
  assert.equal(final.status, 'completed')

  const raw = await (await fetch('/v1/responses', { json: { model: 'openclaw', input: 'hi', stream: true } })).text()
  const frames = raw.split('\n\n').filter((f) => f !== '')
  assert.equal(frames.at(-1), 'data: [DONE]')
  const events = frames.slice(0, -1).map((f) => {
    const [eventLine, dataLine] = f.split('\n')
    const data = JSON.parse(dataLine!.slice(6))
    assert.equal(eventLine, `event: ${data.type}`)
    return data
  })
  assert.deepEqual(events.map((e) => e.type), [
    'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
    'response.output_text.delta', 'response.output_text.delta',
    'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed'
  ])
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i))
  assert.ok(events.every((e) => e.response === undefined || e.response.id === events[0].response.id))
})

test('function tools: the call ends the response, its output continues via previous_response_id', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  const tools = [{ type: 'function' as const, name: 'get_time', description: 'time', parameters: { type: 'object', properties: { tz: { type: 'string' } } }, strict: false }]
  const first = await client.responses.stream({ model: 'openclaw', input: 'call get_time {"tz":"UTC"}', tools }).finalResponse()
  assert.equal(first.status, 'completed')
  const call = first.output.find((o) => o.type === 'function_call')
  assert.ok(call !== undefined && call.type === 'function_call')
  assert.equal(call.name, 'get_time')
  assert.equal(call.arguments, '{"tz":"UTC"}')
  assert.match(call.id ?? '', /^fc_/)

  const second = await client.responses.create({
    model: 'openclaw',
    previous_response_id: first.id,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: '12:00' }],
    tools
  })
  assert.equal(second.output_text, 'tool result: 12:00')
  assert.equal(second.previous_response_id, first.id)
  // The continuation carried the earlier turn from the session transcript.
  const sent = upstream.lastRequest().body.messages.slice(1).map((m: any) => m.role)
  assert.deepEqual(sent, ['user', 'assistant', 'tool'])

  // Non-streamed, the call is a complete function_call item too.
  const direct = await client.responses.create({ model: 'openclaw', input: 'call get_time {"tz":"CET"}', tools })
  assert.deepEqual(direct.output.map((o) => o.type === 'function_call' && [o.name, o.arguments, o.status]), [['get_time', '{"tz":"CET"}', 'completed']])

  const third = await client.responses.create({ model: 'openclaw', previous_response_id: second.id, input: 'and now?' })
  assert.equal(third.output_text, 'echo: and now?')
  assert.equal(upstream.lastRequest().body.messages.length, 1 + 5)
})

test('store:false is not persisted and cannot be continued; an unknown previous id is a 400', async (t) => {
  const { client, fetch, gw } = await startHttpGateway(t)
  const r = await client.responses.create({ model: 'openclaw', input: 'ephemeral', store: false })
  assert.equal((r as unknown as { store: boolean }).store, false)
  assert.equal((await gw.app.sessions.list()).total, 0)
  const res = await fetch('/v1/responses', { json: { model: 'openclaw', input: 'more', previous_response_id: r.id } })
  assert.equal(res.status, 400)
  const err = ((await res.json()) as any).error
  assert.equal(err.message, `Previous response with id '${r.id}' not found.`)
  assert.equal(err.param, 'previous_response_id')
})

test('a store: false continuation of a named session reads its transcript and writes nothing to it', async (t) => {
  const { client, upstream, gw } = await startHttpGateway(t)
  const named = await client.responses.create({ model: 'openclaw', input: 'I am bob', user: 'bob' })
  const transcript = async () => (await gw.app.sessions.history('agent:main:openresponses-user:bob', { limit: 50 })).length
  const written = await transcript()
  assert.ok(written >= 2, 'the named turn was written')
  const r = await client.responses.create({ model: 'openclaw', previous_response_id: named.id, input: 'who am I?', store: false })
  assert.equal(r.output_text, 'echo: who am I?')
  assert.equal((r as unknown as { store: boolean }).store, false)
  assert.deepEqual(upstream.lastRequest().body.messages.slice(1).map((m: any) => m.content), ['I am bob', 'echo: I am bob', 'who am I?'])
  assert.equal(await transcript(), written)
})

test('max_output_tokens: a length stop is status incomplete with reason max_output_tokens', async (t) => {
  const { client, upstream } = await startHttpGateway(t)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['cut ', 'sho'], stopReason: 'length' }) })
  const r = await client.responses.create({ model: 'openclaw', input: 'long story', max_output_tokens: 2 })
  assert.equal(r.status, 'incomplete')
  assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' })
  assert.equal(upstream.lastRequest().body.max_tokens, 2)

  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['cut'], stopReason: 'length' }) })
  const streamed = await client.responses.stream({ model: 'openclaw', input: 'long story', max_output_tokens: 2 }).finalResponse()
  assert.equal(streamed.status, 'incomplete')
})

test('input items: system/developer become instructions, echoed assistant turns are context; bad items are 400s', async (t) => {
  const { client, upstream, fetch } = await startHttpGateway(t)
  await client.responses.create({
    model: 'openclaw/main',
    user: 'bob',
    input: [
      { role: 'developer', content: 'Use metric units.' },
      { role: 'user', content: [{ type: 'input_text', text: 'first' }] },
      { role: 'assistant', content: 'echo: first' },
      { role: 'user', content: 'second' }
    ]
  })
  const sent = upstream.lastRequest().body.messages
  assert.match(sent[0].content, /Use metric units\./)
  assert.deepEqual(sent.slice(1).map((m: any) => m.content), ['first', 'echo: first', 'second'])

  for (const [input, message] of [
    [[{ type: 'item_reference', id: 'x' }], /^Item with id 'x' not found\.$/],
    [[{ type: 'computer_call', id: 'x' }], /Unsupported input item type 'computer_call'/],
    [[{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }], /Unsupported content part type 'input_file'/],
    [[], /^`input` must be a string or a non-empty array of input items\.$/],
    [42, /^`input` must be a string/]
  ] as const) {
    const res = await fetch('/v1/responses', { json: { model: 'openclaw', input } })
    assert.equal(res.status, 400, JSON.stringify(input))
    assert.match(((await res.json()) as any).error.message, message)
  }
})

test('a failure after output ends the stream with response.failed', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: ['half ', 'way'] }).slice(0, 3), after: 'destroy' })
  const raw = await (await fetch('/v1/responses', { json: { model: 'openclaw', input: 'x', stream: true } })).text()
  const types = raw.split('\n\n').filter((f) => f.startsWith('event: ')).map((f) => f.split('\n')[0]!.slice(7))
  assert.equal(types.at(-1), 'response.failed')
  assert.ok(types.includes('response.output_item.done'), 'the open message is closed before the failure')
  assert.ok(raw.endsWith('data: [DONE]\n\n'))
})

test('a response id names its run: the run id of the events a WS watcher sees, without its dashes', async (t) => {
  const { client, gw } = await startHttpGateway(t)
  const { client: ws } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { ws.close() })
  const r = await client.responses.create({ model: 'openclaw', input: 'watch me' })
  const final = await ws.next((f) => f.type === 'event' && f.event === 'chat' && f.payload.state === 'final')
  assert.match(String(final.payload.runId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.equal(r.id, `resp_${String(final.payload.runId).replaceAll('-', '')}`)
  // Still retrievable under that id.
  assert.equal((await client.responses.retrieve(r.id)).output_text, 'echo: watch me')
})
