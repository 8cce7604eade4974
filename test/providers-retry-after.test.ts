import assert from 'node:assert/strict'
import { test } from 'node:test'
import { previewUpstreamText } from '../src/errors/providers.js'
import { parseDuration, parseRetryAfter, retryAfterMsFromHeaders } from '../src/providers/retry-after.js'

const NOW = Date.parse('2025-01-01T00:00:00Z')

test('Retry-After accepts delta-seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('12', NOW), 12_000)
  assert.equal(parseRetryAfter('1.5', NOW), 1_500)
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', NOW), 30_000)
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', NOW), 0) // in the past: retry now
  assert.equal(parseRetryAfter('soon', NOW), undefined)
})

test('OpenAI reset durations parse to milliseconds', () => {
  assert.equal(parseDuration('20ms'), 20)
  assert.equal(parseDuration('1s'), 1_000)
  assert.equal(parseDuration('6m0s'), 360_000)
  assert.equal(parseDuration('1h2m3.5s'), 3_723_500)
  assert.equal(parseDuration('later'), undefined)
  assert.equal(parseDuration('5 parsecs'), undefined)
})

test('header precedence: retry-after-ms, then retry-after, then the latest vendor reset', () => {
  assert.equal(retryAfterMsFromHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW), 250)
  assert.equal(retryAfterMsFromHeaders({ 'retry-after': '9', 'x-ratelimit-reset-requests': '1s' }, NOW), 9_000)
  assert.equal(retryAfterMsFromHeaders({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, NOW), 360_000)
  assert.equal(
    retryAfterMsFromHeaders({ 'anthropic-ratelimit-requests-reset': '2025-01-01T00:00:05Z', 'anthropic-ratelimit-tokens-reset': '2025-01-01T00:00:02Z' }, NOW),
    5_000
  )
  assert.equal(retryAfterMsFromHeaders({}, NOW), undefined)
})

test('upstream previews are scrubbed of secrets and key-shaped tokens, and capped at 300 chars', () => {
  const secret = 'my-custom-secret-token'
  const text = `bad key ${secret} and sk-abcdef1234567890XYZ and sk-ant-api03-QWERTYUIOPASDF\n\n${'z'.repeat(1000)}`
  const preview = previewUpstreamText(text, [secret])
  assert.ok(!preview.includes(secret))
  assert.ok(!preview.includes('1234567890XYZ'))
  assert.ok(!preview.includes('QWERTYUIOPASDF'))
  assert.ok(preview.startsWith('bad key [redacted] and sk-abcdef…[redacted] and sk-ant-api03-…[redacted] zzz'), preview)
  assert.equal(preview.length, 300)
})
