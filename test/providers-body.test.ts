// The request body encoder of provider calls: Preencoded parts (an agent's
// system prompt and tool list) are spliced in as their stored bytes, and the
// result is always the body's JSON.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeBody } from '../src/providers/body-encoder.js'
import { preencode } from '../src/providers/preencoded.js'

const toolList = [{ type: 'function', function: { name: 'read', description: 'Reads ✓ a file', parameters: { type: 'object' } } }]
const tools = preencode(toolList)
const json = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'))
/** What a plain serializer makes of a body: a Preencoded value stands for its value. */
const plain = (body: unknown): unknown => JSON.parse(JSON.stringify(body))

test('a body with a Preencoded part is the JSON of the whole body, with the part as its stored bytes', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'héllo 🙂' }], stream: true, tools }
  const first = encodeBody(body)
  assert.deepEqual(json(first), { ...body, tools: toolList })
  assert.deepEqual(plain(body), json(first))
  const part = Buffer.from(`,"tools":${JSON.stringify(toolList)}}`)
  assert.ok(first.subarray(first.length - part.length).equals(part))
  const second = encodeBody({ ...body, messages: [{ role: 'user', content: 'again' }], stream: false })
  assert.deepEqual(json(second), { ...body, messages: [{ role: 'user', content: 'again' }], stream: false, tools: toolList })
})

test('edge shapes: only Preencoded parts, none, a string, and the empty key', () => {
  assert.deepEqual(json(encodeBody({ tools })), { tools: toolList })
  assert.deepEqual(json(encodeBody({ a: 1, b: [2] })), { a: 1, b: [2] })
  const system = preencode('You are "main" ✓.\n')
  assert.deepEqual(json(encodeBody({ system, a: 1 })), { system: 'You are "main" ✓.\n', a: 1 })
  // An empty key is a key like any other, not an array element.
  assert.deepEqual(json(encodeBody({ a: 1, '': tools })), { a: 1, '': toolList })
})

test('Preencoded elements of a top-level array keep their bytes; the other elements are serialized per body', () => {
  const system = preencode({ role: 'system', content: 'You are "main".\n' + 'x'.repeat(5000) })
  const tool = preencode({ role: 'tool', content: 'in the middle' })
  const cases: Array<Record<string, unknown>> = [
    { model: 'm', messages: [system, { role: 'user', content: 'héllo' }], tools },
    { model: 'm', messages: [system] },
    { messages: [system, tool] },
    { model: 'm', messages: [{ role: 'user', content: 'a' }, system, { role: 'user', content: 'b' }, { role: 'user', content: 'c' }, tool] },
    { model: 'm', messages: [] as unknown[], other: [1, 2] }
  ]
  for (const body of cases) assert.deepEqual(json(encodeBody(body)), plain(body))
})

test('a Preencoded value is serialized once, however many bodies carry it', () => {
  let serialized = 0
  // JSON.stringify calls toJSON each time it serializes the object: the count is the number of encodings.
  const system = preencode({ toJSON: () => { serialized++; return { role: 'system', content: 'prompt' } } })
  for (const content of ['one', 'two', 'three']) {
    assert.deepEqual(json(encodeBody({ messages: [system, { role: 'user', content }] })), { messages: [{ role: 'system', content: 'prompt' }, { role: 'user', content }] })
  }
  assert.equal(serialized, 1)
})
