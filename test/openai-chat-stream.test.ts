// The chat surface when things go wrong or slow: client disconnects abort
// the run (and the upstream call), slow readers get every byte, a reader that
// stops is cut off, and upstream failures map to clean statuses or a final
// error chunk.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { APIError } from 'openai'
import { openAiChatFrames, sseFrame } from './support/fake-upstream.js'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { MAX_BUFFERED_BYTES } from '../plugins/openai-compat/streaming/index.js'
import { waitFor } from './support/wait.js'

const slowWords = (n: number) => openAiChatFrames({ text: Array.from({ length: n }, (_, i) => `w${i} `) })
const body = (extra: Record<string, unknown> = {}) => ({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }], ...extra })

test('a client that disconnects mid-stream aborts the run and the upstream call', async (t) => {
  const { fetch, upstream, gw } = await startHttpGateway(t)
  upstream.enqueue({ type: 'sse', frames: slowWords(100), delayMs: 30 })
  const controller = new AbortController()
  const res = await fetch('/v1/chat/completions', { json: body({ stream: true }), signal: controller.signal })
  const reader = res.body!.getReader()
  const first = new TextDecoder().decode((await reader.read()).value)
  assert.match(first, /"role":"assistant"/)
  controller.abort()
  const closed = await upstream.lastRequest().closed
  assert.equal(closed.early, true, 'the upstream stream was cut before it finished')
  await waitFor('no active runs', () => gw.app.agents.activeRuns().length === 0)
})

test('a client that gives up on a non-streamed request aborts it too', async (t) => {
  const { fetch, upstream, gw } = await startHttpGateway(t)
  upstream.enqueue({ type: 'sse', frames: slowWords(100), delayMs: 30 })
  const controller = new AbortController()
  const pending = fetch('/v1/chat/completions', { json: body(), signal: controller.signal })
  await waitFor('the upstream request', () => upstream.requests.length === 1)
  controller.abort()
  await assert.rejects(pending)
  assert.equal((await upstream.lastRequest().closed).early, true)
  await waitFor('no active runs', () => gw.app.agents.activeRuns().length === 0)
})

test('on a keep-alive connection, only the request in flight is aborted when the client leaves', async (t) => {
  const { upstream, gw, baseURL, token } = await startHttpGateway(t)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.after(() => { agent.destroy() })
  const post = () => http.request(`${baseURL}/chat/completions`, {
    method: 'POST',
    agent,
    headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'application/json' }
  })
  // A first answer completes on the connection.
  const first = await new Promise<string>((resolve, reject) => {
    const req = post()
    req.on('response', (res) => { let text = ''; res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => { resolve(text) }) })
    req.on('error', reject)
    req.end(JSON.stringify(body()))
  })
  assert.equal(JSON.parse(first).choices[0].message.content, 'echo: hi')
  // The second, on the same socket, hangs upstream; the client gives up by closing the connection.
  upstream.enqueue({ type: 'sse', frames: slowWords(100), delayMs: 30 })
  const second = post()
  second.on('error', () => {})
  second.end(JSON.stringify(body()))
  await waitFor('the second upstream request', () => upstream.requests.length === 2)
  second.destroy()
  assert.equal((await upstream.lastRequest().closed).early, true)
  await waitFor('no active runs', () => gw.app.agents.activeRuns().length === 0)
})

/** A raw HTTP client whose reading pace the test controls. */
function rawStream (gw: HttpGateway, payload: unknown): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/json' }
    }, resolve)
    req.on('error', reject)
    req.end(JSON.stringify(payload))
  })
}

test('a slow reader receives every delta, in order', async (t) => {
  const gw = await startHttpGateway(t)
  const parts = Array.from({ length: 300 }, (_, i) => `${String(i).padStart(4, '0')}${'.'.repeat(2000)}|`)
  gw.upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: parts }) })
  const res = await rawStream(gw, body({ stream: true }))
  let raw = ''
  for await (const chunk of res) {
    raw += String(chunk)
    await sleep(3)
  }
  const chunks = raw.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)))
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), parts.join(''))
  assert.ok(raw.endsWith('data: [DONE]\n\n'))
  await waitFor('no active runs', () => gw.gw.app.agents.activeRuns().length === 0)
})

test('a reader that stops reading is cut off once the buffer passes its cap, and the run ends', async (t) => {
  const gw = await startHttpGateway(t)
  const delta = 'z'.repeat(64 * 1024)
  const count = Math.ceil((MAX_BUFFERED_BYTES * 1.5) / delta.length)
  gw.upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: Array.from({ length: count }, () => delta) }) })
  const res = await rawStream(gw, body({ stream: true }))
  res.pause()
  await waitFor('no active runs', () => gw.gw.app.agents.activeRuns().length === 0, 15_000)
  // What the client could still read is a truncated stream: no [DONE].
  res.resume()
  let raw = ''
  await new Promise<void>((resolve) => {
    res.on('data', (c) => { raw += String(c) })
    res.on('close', resolve)
  })
  assert.ok(!raw.endsWith('data: [DONE]\n\n'))
  assert.ok(raw.length < count * delta.length)
})

test('a failure after output is a final error chunk, then [DONE]; the SDK throws it', async (t) => {
  const { fetch, upstream, client } = await startHttpGateway(t)
  const frames = openAiChatFrames({ text: ['partial ', 'answer'] }).slice(0, 3)
  upstream.enqueue({ type: 'sse', frames, after: 'destroy' })
  const raw = await (await fetch('/v1/chat/completions', { json: body({ stream: true }) })).text()
  const lines = raw.split('\n\n').filter((l) => l !== '')
  assert.equal(lines.at(-1), 'data: [DONE]')
  const error = JSON.parse(lines.at(-2)!.slice(6))
  assert.deepEqual(Object.keys(error), ['error'])
  assert.equal(error.error.type, 'api_error')
  assert.match(error.error.message, /^fake\/echo: /)

  upstream.enqueue({ type: 'sse', frames, after: 'destroy' })
  const stream = await client.chat.completions.create({ ...body(), stream: true } as any) as unknown as AsyncIterable<any>
  let text = ''
  await assert.rejects(async () => { for await (const c of stream) text += c.choices[0]?.delta?.content ?? '' }, APIError)
  assert.equal(text, 'partial answer')
})

test('an upstream that answers HTML or garbage is a clean 502, streamed or not', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t)
  for (const stream of [false, true]) {
    upstream.enqueue({ type: 'text', status: 200, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' })
    const res = await fetch('/v1/chat/completions', { json: body({ stream }) })
    assert.equal(res.status, 502, `stream=${stream}`)
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
    const err = ((await res.json()) as any).error
    assert.equal(err.type, 'api_error')
    // A streamed request asked for an event stream, a non-streamed one for a JSON answer.
    assert.match(err.message, stream ? /^fake\/echo: .*expected an event stream, got text\/html/ : /^fake\/echo: .*expected a JSON answer, got text\/html/)
    assert.equal(res.headers.get('x-should-retry'), 'false')
  }
  upstream.enqueue({ type: 'sse', frames: ['data: {not json at all\n\n'] })
  const res = await fetch('/v1/chat/completions', { json: body() })
  assert.equal(res.status, 502)
})

test('an upstream rate limit passes through as 429 with Retry-After', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t)
  const limited = { type: 'json' as const, status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down', type: 'rate_limit_error' } } }
  upstream.enqueue(limited, limited)
  const res = await fetch('/v1/chat/completions', { json: body({ stream: true }) })
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '1')
  const err = ((await res.json()) as any).error
  assert.equal(err.code, 'rate_limit_exceeded')
  assert.match(err.message, /slow down/)
  assert.equal(upstream.requests.length, 2, 'the engine retried once before giving up')
})

test('upstream server errors are 502 and a run past its deadline is 504', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t, { config: () => ({ agents: { defaults: { model: 'fake/echo', timeoutSeconds: 1 } } }) })
  const broken = { type: 'json' as const, status: 500, body: { error: { message: 'kaput' } } }
  upstream.enqueue(broken, broken)
  let res = await fetch('/v1/chat/completions', { json: body() })
  assert.equal(res.status, 502)
  assert.match(((await res.json()) as any).error.message, /kaput/)

  upstream.enqueue({ type: 'sse', frames: slowWords(3), delayBeforeMs: 3000 })
  res = await fetch('/v1/chat/completions', { json: body({ stream: true }) })
  assert.equal(res.status, 504)
  assert.match(((await res.json()) as any).error.message, /timed out/)
})

test('text that arrives in one upstream read goes out as one chunk; separate reads stay separate', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t)
  const contentOf = async (res: Response) => (await res.text()).split('\n\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content)
    .filter((c): c is string => typeof c === 'string' && c !== '')
  // The whole answer in one write: one content chunk with all of its text.
  const frames = openAiChatFrames({ text: ['one ', 'two ', 'three'] })
  upstream.enqueue({ type: 'custom', handle: (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(frames.map(sseFrame).join('')) } })
  assert.deepEqual(await contentOf(await fetch('/v1/chat/completions', { json: body({ stream: true }) })), ['one two three'])
  // One frame per write, spaced out: each delta is its own chunk, as it arrives.
  upstream.enqueue({ type: 'sse', frames, delayMs: 20 })
  assert.deepEqual(await contentOf(await fetch('/v1/chat/completions', { json: body({ stream: true }) })), ['one ', 'two ', 'three'])
})
