import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSseParser, type SseEvent } from '../src/providers/sse.js'

function parseAll (chunks: string[]): SseEvent[] {
  const parser = createSseParser()
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()]
}

const STREAM =
  ': keep-alive comment\r\n' +
  'event: message_start\r\n' +
  'data: {"a":1}\r\n' +
  '\r\n' +
  'data: line one\n' +
  'data: line two\n' +
  'id: 42\n' +
  '\n' +
  'event: ping\r' +
  'data:no-space\r' +
  '\r' +
  'retry: 100\n' +
  'data\n' +
  '\n' +
  'event: orphan\n\n' + // no data: must not dispatch, and must not leak into the next event
  'data: last\n\n'

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}' },
  { event: 'message', data: 'line one\nline two', id: '42' },
  { event: 'ping', data: 'no-space', id: '42' },
  { event: 'message', data: '', id: '42' },
  { event: 'message', data: 'last', id: '42' }
]

test('parses CRLF, CR and LF line endings, comments, event names, ids and multi-line data', () => {
  assert.deepEqual(parseAll([STREAM]), EXPECTED)
})

test('gives the same events however the input is split into two chunks', () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    assert.deepEqual(parseAll([STREAM.slice(0, cut), STREAM.slice(cut)]), EXPECTED, `split at ${cut}`)
  }
})

test('gives the same events when fed one character at a time', () => {
  assert.deepEqual(parseAll([...STREAM]), EXPECTED)
})

test('emits each event as soon as its blank line arrives', () => {
  const parser = createSseParser()
  assert.deepEqual(parser.push('data: a\n'), [])
  assert.deepEqual(parser.push('\n'), [{ event: 'message', data: 'a' }])
  assert.deepEqual(parser.push('data: b'), [])
  assert.deepEqual(parser.push('\n\ndata: c\n\n'), [
    { event: 'message', data: 'b' },
    { event: 'message', data: 'c' }
  ])
})

test('strips a leading BOM and flushes an unterminated final event at end of stream', () => {
  assert.deepEqual(parseAll(['\uFEFFdata: x\n\ndata: tail']), [
    { event: 'message', data: 'x' },
    { event: 'message', data: 'tail' }
  ])
})
