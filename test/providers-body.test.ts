// The request body encoder of provider calls: frozen parts (the tool list) are
// serialized and encoded once, and the result is always the body's JSON.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bodyBytes, type Fragment } from '../src/providers/http.js'

const tools = Object.freeze([{ type: 'function', function: { name: 'read', description: 'Reads ✓ a file', parameters: { type: 'object' } } }])

test('a body with a frozen part is the same JSON as the whole body, with the part encoded once', () => {
  const cache = new WeakMap<object, Fragment>()
  const body = { model: 'm', messages: [{ role: 'user', content: 'héllo' }], stream: true, tools }
  const first = bodyBytes(body, cache)
  assert.deepEqual(JSON.parse(first.toString('utf8')), JSON.parse(JSON.stringify(body)))
  const cached = cache.get(tools)
  assert.ok(cached !== undefined)
  // A second call reuses the very same bytes for the frozen part.
  bodyBytes({ ...body, messages: [{ role: 'user', content: 'again' }] }, cache)
  assert.equal(cache.get(tools), cached)
  assert.deepEqual(JSON.parse(bodyBytes({ ...body, stream: false }, cache).toString('utf8')).stream, false)
})

test('edge shapes: only frozen parts, no frozen parts, and a frozen value under another key', () => {
  const cache = new WeakMap<object, Fragment>()
  assert.deepEqual(JSON.parse(bodyBytes({ tools }, cache).toString('utf8')), { tools: JSON.parse(JSON.stringify(tools)) })
  assert.deepEqual(JSON.parse(bodyBytes({ a: 1, b: [2] }, cache).toString('utf8')), { a: 1, b: [2] })
  const moved = JSON.parse(bodyBytes({ a: 1, functions: tools }, cache).toString('utf8'))
  assert.deepEqual(Object.keys(moved).sort(), ['a', 'functions'])
})
