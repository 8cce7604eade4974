// The request body encoder of provider calls: frozen parts (the tool list) are
// serialized and encoded once, bodies share slabs, and the result is always
// the body's JSON.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BodyEncoder, SLAB_BYTES } from '../src/providers/body-encoder.js'

const tools = Object.freeze([{ type: 'function', function: { name: 'read', description: 'Reads ✓ a file', parameters: { type: 'object' } } }])
const json = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'))

test('a body with a frozen part is the same JSON as the whole body, with the part encoded once', () => {
  const encoder = new BodyEncoder()
  const body = { model: 'm', messages: [{ role: 'user', content: 'héllo 🙂' }], stream: true, tools }
  const first = encoder.encode(body)
  assert.deepEqual(json(first), JSON.parse(JSON.stringify(body)))
  // Another body with the same frozen part: same JSON, and the part's bytes are the very same.
  const second = encoder.encode({ ...body, messages: [{ role: 'user', content: 'again' }] })
  assert.deepEqual(json(second), { ...JSON.parse(JSON.stringify(body)), messages: [{ role: 'user', content: 'again' }] })
  const part = Buffer.from(`,"tools":${JSON.stringify(tools)}`)
  assert.ok(first.subarray(first.length - 1 - part.length, first.length - 1).equals(part))
  assert.equal((json(encoder.encode({ ...body, stream: false })) as { stream: boolean }).stream, false)
})

test('edge shapes: only frozen parts, no frozen parts, and a frozen value under another key', () => {
  const encoder = new BodyEncoder()
  assert.deepEqual(json(encoder.encode({ tools })), { tools: JSON.parse(JSON.stringify(tools)) })
  assert.deepEqual(json(encoder.encode({ a: 1, b: [2] })), { a: 1, b: [2] })
  const moved = json(encoder.encode({ a: 1, functions: tools })) as Record<string, unknown>
  assert.deepEqual(Object.keys(moved).sort(), ['a', 'functions'])
  assert.deepEqual(moved.functions, JSON.parse(JSON.stringify(tools)))
  // An empty key is a key like any other, not an array element.
  assert.deepEqual(json(encoder.encode({ a: 1, '': tools })), { a: 1, '': JSON.parse(JSON.stringify(tools)) })
})

test('bodies written one after another never overwrite each other, across slabs', () => {
  const encoder = new BodyEncoder()
  const kept: Array<{ bytes: Buffer, text: string }> = []
  // Enough bodies to fill several slabs; each is checked after all are written.
  for (let i = 0; kept.length * 900 < SLAB_BYTES * 3; i++) {
    const text = `message ${i} ${'é'.repeat(i % 300)}`
    kept.push({ bytes: encoder.encode({ model: 'm', messages: [{ role: 'user', content: text }], tools }), text })
  }
  for (const { bytes, text } of kept) {
    assert.equal((json(bytes) as { messages: Array<{ content: string }> }).messages[0]!.content, text)
  }
})

test('a body too big for a slab gets its own buffer, with the same JSON', () => {
  const encoder = new BodyEncoder()
  const content = '€'.repeat(SLAB_BYTES)
  assert.deepEqual(json(encoder.encode({ messages: [{ role: 'user', content }], tools })), { messages: [{ role: 'user', content }], tools: JSON.parse(JSON.stringify(tools)) })
  assert.deepEqual(json(encoder.encode({ tools, extra: Object.freeze({ big: content }) })), { tools: JSON.parse(JSON.stringify(tools)), extra: { big: content } })
  // The small body after it still goes to a slab, intact.
  assert.deepEqual(json(encoder.encode({ a: 'ok' })), { a: 'ok' })
})

test('frozen elements of a top-level array keep their bytes; the other elements are serialized per body', () => {
  const encoder = new BodyEncoder()
  const system = Object.freeze({ role: 'system', content: 'You are "main".\n' + 'x'.repeat(5000) })
  const tool = Object.freeze({ role: 'tool', content: 'frozen in the middle' })
  const cases: Array<Record<string, unknown>> = [
    { model: 'm', messages: [system, { role: 'user', content: 'héllo' }], tools },
    { model: 'm', messages: [system] },
    { messages: [system, tool] },
    { model: 'm', messages: [{ role: 'user', content: 'a' }, system, { role: 'user', content: 'b' }, { role: 'user', content: 'c' }, tool] },
    { model: 'm', messages: [] as unknown[], other: [1, 2] }
  ]
  for (const body of cases) assert.deepEqual(json(encoder.encode(body)), JSON.parse(JSON.stringify(body)))
})

test('a frozen element is serialized once, however many bodies carry it', () => {
  const encoder = new BodyEncoder()
  let serialized = 0
  // JSON.stringify calls toJSON each time it serializes the object: the count is the number of encodings.
  const system = Object.freeze({ toJSON: () => { serialized++; return { role: 'system', content: 'prompt' } } })
  for (const content of ['one', 'two', 'three']) {
    assert.deepEqual(json(encoder.encode({ messages: [system, { role: 'user', content }] })), { messages: [{ role: 'system', content: 'prompt' }, { role: 'user', content }] })
  }
  assert.equal(serialized, 1)
})
