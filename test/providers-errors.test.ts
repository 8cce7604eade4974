import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { createProvider, ProviderError, type ModelRequest, type ProviderAdapter, type StreamEvent } from '../src/providers/index.js'
import { anthropicFrames, openAiChatFrames, startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js'
import { collect } from './support/stream.js'

const KEY = 'sk-proj-SUPERSECRETKEY1234567890'
let fake: FakeUpstream
let openai: ProviderAdapter
let anthropic: ProviderAdapter
const warnings: object[] = []

before(async () => {
  fake = await startFakeUpstream()
  const logger = { debug: () => {}, warn: (obj: object) => { warnings.push(obj) } }
  openai = createProvider('openai', { baseUrl: fake.openaiBaseUrl, api: 'openai-completions' }, { getApiKey: () => KEY, logger })
  anthropic = createProvider('anthropic', { baseUrl: fake.url, api: 'anthropic-messages' }, { getApiKey: () => KEY, logger })
})
after(async () => {
  await openai.close()
  await anthropic.close()
  await fake.close()
})

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] }

/** Runs the call to its failure; returns the error and the events that came before it. */
async function failure (provider: ProviderAdapter, req: ModelRequest): Promise<{ error: ProviderError, events: StreamEvent[] }> {
  const events: StreamEvent[] = []
  try {
    await provider.streamTo(req, (batch) => { events.push(...batch) })
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`)
    return { error, events }
  }
  assert.fail(`stream completed without error: ${JSON.stringify(events)}`)
}

function assertNoKey (error: ProviderError): void {
  const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack })
  assert.ok(!everything.includes(KEY), 'the API key leaked into the error')
  assert.ok(!everything.includes('SUPERSECRETKEY'), 'part of the API key leaked into the error')
}

test('401 is a non-retryable auth error and the echoed key is scrubbed', async () => {
  fake.enqueue({ type: 'json', status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'auth')
  assert.equal(error.code, 'PROVIDER_AUTH')
  assert.equal(error.status, 401)
  assert.equal(error.retryable, false)
  assert.equal(error.provider, 'openai')
  assert.equal(error.model, 'm')
  assert.match(error.upstreamMessage ?? '', /^Incorrect API key provided: /)
  assertNoKey(error)
  assert.ok(!JSON.stringify(warnings).includes(KEY), 'the API key leaked into the logs')
})

test('429 maps to rate_limit with retryAfterMs from Retry-After seconds', async () => {
  fake.enqueue({ type: 'json', status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'Rate limit reached', type: 'requests' } } })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'rate_limit')
  assert.equal(error.retryable, true)
  assert.equal(error.retryAfterMs, 7000)
})

test('Anthropic 429 uses retry-after; an HTTP-date Retry-After also works', async () => {
  fake.enqueue({ type: 'json', status: 429, headers: { 'retry-after': '3' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } })
  const first = await failure(anthropic, ask)
  assert.equal(first.error.kind, 'rate_limit')
  assert.equal(first.error.retryAfterMs, 3000)
  assert.equal(first.error.upstreamMessage, 'Slow down')

  const at = new Date(Date.now() + 20_000).toUTCString()
  fake.enqueue({ type: 'json', status: 503, headers: { 'retry-after': at }, body: { error: { message: 'busy' } } })
  const second = await failure(openai, ask)
  assert.equal(second.error.kind, 'server')
  assert.ok(second.error.retryAfterMs! > 15_000 && second.error.retryAfterMs! <= 20_000, String(second.error.retryAfterMs))
})

test('an exhausted quota is a rate limit that is not worth retrying', async () => {
  fake.enqueue({ type: 'json', status: 429, body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } } })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'rate_limit')
  assert.equal(error.retryable, false)
})

test('500 with an HTML page is a retryable server error', async () => {
  fake.enqueue({ type: 'text', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'server')
  assert.equal(error.status, 502)
  assert.equal(error.retryable, true)
  assert.match(error.upstreamMessage ?? '', /502 Bad Gateway/)
})

test('context-length wording maps to context_length for both OpenAI and Anthropic', async () => {
  fake.enqueue({ type: 'json', status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens.", code: 'context_length_exceeded' } } })
  assert.equal((await failure(openai, ask)).error.kind, 'context_length')
  fake.enqueue({ type: 'json', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } } })
  const { error } = await failure(anthropic, ask)
  assert.equal(error.code, 'PROVIDER_CONTEXT_LENGTH')
  assert.equal(error.retryable, false)
  fake.enqueue({ type: 'json', status: 400, body: { error: { message: 'temperature must be <= 2' } } })
  assert.equal((await failure(openai, ask)).error.kind, 'bad_request')
})

test('error bodies are read with a cap: a huge body is not downloaded', async () => {
  let written = 0
  fake.enqueue({
    type: 'custom',
    async handle (_req, res) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      for (let i = 0; i < 400 && !res.destroyed; i++, written++) {
        res.write('x'.repeat(16 * 1024))
        await sleep(5)
      }
      res.end()
    }
  })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'server')
  assert.ok((error.upstreamMessage ?? '').length <= 300)
  assert.deepEqual(await fake.lastRequest().closed, { early: true })
  assert.ok(written < 100, `server wrote ${written} chunks before the client hung up`)
})

test('HTML garbage with status 200 is an invalid response', async () => {
  fake.enqueue({ type: 'text', status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Login</title>' })
  const { error } = await failure(openai, ask)
  assert.equal(error.kind, 'invalid_response')
  assert.equal(error.retryable, false)
  assert.match(error.upstreamMessage ?? '', /<!doctype html>/)
})

test('malformed JSON inside the event stream is an invalid response', async () => {
  fake.enqueue({ type: 'sse', frames: [openAiChatFrames({ text: 'a' })[1], 'data: {"choices": [oops\n\n'] })
  const { error, events } = await failure(openai, ask)
  assert.equal(error.code, 'PROVIDER_INVALID_RESPONSE')
  assert.deepEqual(events, [{ type: 'text-delta', text: 'a' }])
})

test('a connection reset mid-stream is a retryable network error after the partial output', async () => {
  fake.enqueue({ type: 'sse', frames: anthropicFrames({ text: ['one ', 'two ', 'three'] }).slice(0, 5), after: 'destroy' })
  const { error, events } = await failure(anthropic, ask)
  assert.equal(error.kind, 'network')
  assert.equal(error.retryable, true)
  assert.deepEqual(events, [
    { type: 'text-delta', text: 'one ' },
    { type: 'text-delta', text: 'two ' }
  ])
})

test('a connection dropped before any response is a network error', async () => {
  fake.enqueue({ type: 'destroy' })
  assert.equal((await failure(openai, ask)).error.code, 'PROVIDER_NETWORK')
})

test('connection refused is a network error', async (t) => {
  const dead = await startFakeUpstream()
  const url = dead.openaiBaseUrl
  await dead.close()
  const provider = createProvider('dead', { baseUrl: url, api: 'openai-completions' }, { getApiKey: () => KEY })
  t.after(() => provider.close())
  const { error } = await failure(provider, ask)
  assert.equal(error.kind, 'network')
  assert.match(error.message, /ECONNREFUSED/)
})

test('abort mid-stream closes the upstream request and throws an aborted error promptly', async () => {
  const frames = openAiChatFrames({ text: Array.from({ length: 200 }, (_, i) => `t${i} `) })
  fake.enqueue({ type: 'sse', frames, delayMs: 20 })
  const controller = new AbortController()
  const events: StreamEvent[] = []
  const started = Date.now()
  await assert.rejects(
    openai.streamTo({ ...ask, signal: controller.signal }, (batch) => {
      events.push(...batch)
      if (events.length >= 2) controller.abort()
    }),
    (err: unknown) => err instanceof ProviderError && err.kind === 'aborted' && err.code === 'PROVIDER_ABORTED' && !err.retryable
  )
  assert.equal(events.length, 2)
  assert.deepEqual(await fake.lastRequest().closed, { early: true })
  assert.ok(Date.now() - started < 1000, 'abort did not stop the stream promptly')
})

test('an already-aborted signal never reaches the upstream', async () => {
  const before = fake.requests.length
  const { error } = await failure(openai, { ...ask, signal: AbortSignal.abort() })
  assert.equal(error.kind, 'aborted')
  assert.equal(fake.requests.length, before)
})

test('a consumer that throws fails the call and releases the upstream request', async () => {
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: Array.from({ length: 100 }, () => 'x') }), delayMs: 10 })
  await assert.rejects(openai.streamTo(ask, () => { throw new Error('consumer gave up') }), /consumer gave up/)
  assert.deepEqual(await fake.lastRequest().closed, { early: true })
})

test('a 200 JSON error body (proxy style) is classified, and streaming after close() fails fast', async (t) => {
  fake.enqueue({ type: 'json', status: 200, body: { error: { message: 'Rate limit exceeded', type: 'rate_limit_error' } } })
  assert.equal((await failure(openai, ask)).error.kind, 'rate_limit')
  const closing = createProvider('closing', { baseUrl: fake.openaiBaseUrl, api: 'openai-completions' }, { getApiKey: () => KEY })
  await closing.close()
  t.after(() => closing.close())
  const { error } = await failure(closing, ask)
  assert.equal(error.kind, 'network')
  assert.equal(error.retryable, false)
})

test('createProvider rejects unusable config with a coded ProviderConfigError', () => {
  const deps = { getApiKey: () => KEY }
  assert.throws(() => createProvider('x', { baseUrl: 'not a url', api: 'openai-completions' }, deps), {
    name: 'ProviderConfigError',
    code: 'PROVIDER_CONFIG_INVALID'
  })
  assert.throws(() => createProvider('x', { baseUrl: 'ftp://host/v1', api: 'openai-completions' }, deps), { code: 'PROVIDER_CONFIG_INVALID' })
  assert.throws(() => createProvider('x', { baseUrl: fake.url, api: 'gemini' as never }, deps), /unsupported api "gemini"/)
})

test('a complete answer whose body stays open is returned at once, and the socket dropped after the grace', async () => {
  // [DONE] arrives, but the server never ends the response.
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'done early' }), after: 'hang' })
  const started = Date.now()
  const events = await collect(openai, ask)
  assert.ok(Date.now() - started < 500, 'the answer waited for the body to end')
  assert.deepEqual(events.at(-1), { type: 'done', stopReason: 'stop' })
  // The hung body is cut after DRAIN_GRACE_MS (1 s), not kept forever.
  assert.deepEqual(await fake.lastRequest().closed, { early: true })
  assert.ok(Date.now() - started >= 900, 'the socket was dropped before the grace was over')
  // And a body that does end is not cut: the next answer on the pool is whole.
  fake.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'next' }) })
  await collect(openai, ask)
  assert.deepEqual(await fake.lastRequest().closed, { early: false })
})
