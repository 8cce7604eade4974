// A response's JSON is written from templates (snapshotJson) for speed: it
// must be exactly what JSON.stringify makes of the response object, field by
// field as the API reference gives it, for every request field a client can
// set and every state a response ends in.
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { functionCallItem, isUuid, messageItem, responseId, responseMeta, snapshotJson, type OutputItem, type SnapshotState } from '../plugins/openai-compat/responses-build.js'
import type { ResponseObject, ResponsesRequest } from '../schemas/openai.js'
import type { RunResult } from '../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from '../plugins/openai-compat/errors.js'
import { itemId } from '../plugins/openai-compat/response-items.js'
import { responseEvents } from '../plugins/openai-compat/streaming/responses.js'

/** What a response takes from its request. */
interface Meta { id: string, createdAt: number, model: string, request: ResponsesRequest, store: boolean }

/** The response object, plainly. */
function snapshot (meta: Meta, state: SnapshotState): ResponseObject {
  const r = meta.request
  const output = state.output ?? []
  const u = state.result?.usage
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: state.status,
    model: meta.model,
    output,
    output_text: output.flatMap((item) => (item.type === 'message' ? item.content.map((c) => c.text) : [])).join(''),
    error: state.error ?? null,
    incomplete_details: state.incompleteReason !== undefined && state.incompleteReason !== null ? { reason: state.incompleteReason } : null,
    instructions: r.instructions ?? null,
    metadata: r.metadata ?? {},
    parallel_tool_calls: true,
    temperature: r.temperature ?? null,
    top_p: r.top_p ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    previous_response_id: r.previous_response_id ?? null,
    store: meta.store,
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    usage: u !== undefined
      ? { input_tokens: u.inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: u.outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.totalTokens }
      : null,
    ...(typeof r.user === 'string' ? { user: r.user } : {})
  }
}

const ID = 'resp_0123456789abcdef0123456789abcdef'
const TRICKY = 'say "hi"\\ \n\t\u0001 é 😀 \ud800 </script>'

function result (text: string, usage = { inputTokens: 5, outputTokens: 7, totalTokens: 12 }): RunResult {
  return { runId: 'r', sessionKey: 'k', agentId: 'main', status: 'ok', text, toolCalls: [], stopReason: 'stop', usage, startedAt: 0, endedAt: 1 } as RunResult
}

const requests: Array<[string, ResponsesRequest]> = [
  ['nothing set', { input: 'hi' }],
  ['every field set', {
    input: 'hi',
    instructions: TRICKY,
    metadata: { a: 'b', quote: '"' },
    temperature: 0.25,
    top_p: 1,
    max_output_tokens: 64,
    previous_response_id: 'resp_ffffffffffffffffffffffffffffffff',
    tool_choice: { type: 'function', name: 'lookup' },
    tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
    user: TRICKY
  } as ResponsesRequest],
  ['nulls and a string tool choice', { input: 'hi', instructions: null, temperature: null, tool_choice: 'none', user: 'u' } as ResponsesRequest]
]

const call = { id: 'call_1', name: 'lookup', arguments: '{"q":"\\"x\\""}' }
const states: Array<[string, SnapshotState]> = [
  ['in progress', { status: 'in_progress' }],
  ['an open message without text', { status: 'in_progress', output: [messageItem('msg_1o0', '', 'in_progress')] }],
  ['completed with text', { status: 'completed', output: [messageItem('msg_1o0', TRICKY, 'completed')], result: result(TRICKY) }],
  ['completed with empty text', { status: 'completed', output: [messageItem('msg_1o0', '', 'completed')], result: result('') }],
  ['text and tool calls', { status: 'completed', output: [messageItem('msg_1o0', 'a', 'completed'), functionCallItem('fc_1o1', call, 'completed')], result: result('a') }],
  ['tool calls only', { status: 'completed', output: [functionCallItem('fc_1o0', call, 'completed'), functionCallItem('fc_1o1', { ...call, id: 'call_2' }, 'completed')], result: result('') }],
  ['two messages', { status: 'completed', output: [messageItem('msg_1o0', 'one ', 'completed'), messageItem('msg_1o1', 'two', 'completed')], result: result('one two') }],
  ['a message with annotations', {
    status: 'completed',
    output: [{ type: 'message', id: 'msg_1o0', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'cited', annotations: [{ type: 'url_citation' }] }] } as unknown as OutputItem],
    result: result('cited')
  }],
  ['incomplete', { status: 'incomplete', output: [messageItem('msg_1o0', 'cut', 'incomplete')], result: result('cut'), incompleteReason: 'max_output_tokens' }],
  ['failed', { status: 'failed', output: [], result: result(''), error: { code: 'server_error', message: TRICKY } }],
  ['usage that is not a number', { status: 'completed', output: [], result: result('', { inputTokens: Number.NaN, outputTokens: 0, totalTokens: Number.POSITIVE_INFINITY }) }]
]

test('snapshotJson is JSON.stringify of the snapshot for every request field and every state', () => {
  for (const [requestName, request] of requests) {
    for (const store of [true, false]) {
      for (const model of ['openclaw', 'openclaw/"odd" é']) {
        const given: Meta = { id: ID, createdAt: 1_796_600_000, model, request, store }
        const meta = responseMeta(given.id, given.createdAt, model, request, store)
        for (const [stateName, state] of states) {
          assert.equal(snapshotJson(meta, state), JSON.stringify(snapshot(given, state)), `${requestName}, store ${String(store)}, model ${model}: ${stateName}`)
        }
      }
    }
  }
})

test('a response id is its run id as hex; a run id of another shape gets a fresh one', () => {
  const runId = randomUUID()
  assert.equal(isUuid(runId), true)
  assert.equal(responseId(runId), `resp_${runId.replaceAll('-', '')}`)
  const uuid = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'
  // Each breaks the shape randomUUID writes in one place: length, a dash, case, a hex digit.
  for (const other of [uuid.slice(1), `${uuid}0`, uuid.replace('-', '0'), uuid.toUpperCase(), `g${uuid.slice(1)}`, `${uuid.slice(0, 35)}/`, 'run-1', '']) {
    assert.equal(isUuid(other), false, other)
    const id = responseId(other)
    assert.match(id, /^resp_[0-9a-f]{32}$/)
    assert.notEqual(id, 'resp_f81d4fae7dec11d0a76500a0c91e6bf6')
  }
})

test('a stream ends with the response snapshotJson makes of its output, in its last event and for the store', () => {
  const given: Meta = { id: ID, createdAt: 1_796_600_000, model: 'openclaw', request: { input: 'hi' }, store: true }
  const msg = (text: string, status: 'completed' | 'incomplete') => messageItem(itemId(ID, 'msg', 'o', 0), text, status)
  const fc = (index: number, c = call) => functionCallItem(itemId(ID, 'fc', 'o', index), c, 'completed')
  const failure = { ...result('half'), status: 'error', stopReason: 'error' } as RunResult
  const runs: Array<[string, string[], RunResult, SnapshotState]> = [
    ['text', ['say ', TRICKY], result(`say ${TRICKY}`), { status: 'completed', output: [msg(`say ${TRICKY}`, 'completed')] }],
    ['text cut at max tokens', ['cut'], { ...result('cut'), stopReason: 'length' }, { status: 'incomplete', output: [msg('cut', 'incomplete')], incompleteReason: 'max_output_tokens' }],
    ['text and tool calls', ['a'], { ...result('a'), toolCalls: [call, { ...call, id: 'call_2' }] }, { status: 'completed', output: [msg('a', 'completed'), fc(1), fc(2, { ...call, id: 'call_2' })] }],
    ['a tool call only', [], { ...result(''), toolCalls: [call] }, { status: 'completed', output: [fc(0)] }],
    ['nothing', [], result(''), { status: 'completed', output: [] }],
    ['failed after text', ['half'], failure, { status: 'failed', output: [msg('half', 'incomplete')] }]
  ]
  for (const [name, deltas, run, state] of runs) {
    const events = responseEvents(responseMeta(given.id, given.createdAt, given.model, given.request, given.store))
    let wire = events.opening
    for (const d of deltas) wire += events.delta(d)
    wire += run.status === 'ok' ? events.ok(run) : events.failed(run)
    const error = run.status === 'ok' ? undefined : { code: toOpenAiFailure(fromRunResult(run)).body.error.code ?? 'server_error', message: toOpenAiFailure(fromRunResult(run)).body.error.message }
    const expected = JSON.stringify(snapshot(given, { ...state, result: run, error }))
    assert.equal(events.finalJson, expected, name)
    const last = wire.trimEnd().split('\n\n').at(-1)!
    assert.deepEqual(JSON.parse(last.slice(last.indexOf('data: ') + 6)).response, JSON.parse(expected), name)
  }
})
