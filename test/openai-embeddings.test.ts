// POST /v1/embeddings with the official openai SDK: float and base64 vectors
// from the memory.search backend or the x-openclaw-model override, input
// validation, and clear errors when no backend can serve them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeEmbedding } from './support/fake-upstream.js'
import { startHttpGateway } from './support/http-gateway.js'
import { toBase64Float32 } from '../plugins/openai-compat/embeddings.js'

const searchConfig = () => ({ memory: { search: { provider: 'fake', model: 'embed-small' } } })
const close = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-6)

test('float vectors come from memory.search, in input order, with the request model echoed', async (t) => {
  const { client, upstream } = await startHttpGateway(t, { config: searchConfig })
  const r = await client.embeddings.create({ model: 'openclaw', input: ['alpha beta', 'gamma'], encoding_format: 'float', dimensions: 4 })
  assert.equal(r.object, 'list')
  assert.equal(r.model, 'openclaw')
  assert.deepEqual(r.data.map((d) => [d.object, d.index]), [['embedding', 0], ['embedding', 1]])
  assert.ok(close(r.data[0]!.embedding, fakeEmbedding('alpha beta', 4)))
  assert.ok(close(r.data[1]!.embedding, fakeEmbedding('gamma', 4)))
  assert.deepEqual(r.usage, { prompt_tokens: 3, total_tokens: 3 })
  const sent = upstream.lastRequest()
  assert.equal(sent.path, '/v1/embeddings')
  assert.deepEqual([sent.body.model, sent.body.dimensions], ['embed-small', 4])
})

test('base64 (the SDK default) is little-endian float32 and decodes to the same vector', async (t) => {
  const { client, fetch } = await startHttpGateway(t, { config: searchConfig })
  // Without encoding_format the SDK asks for base64 and decodes it itself.
  const r = await client.embeddings.create({ model: 'openclaw', input: 'one string' })
  const expected = fakeEmbedding('one string', 8)
  assert.ok(close(r.data[0]!.embedding, expected.map((x) => Math.fround(x))))

  const raw = await (await fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'one string', encoding_format: 'base64' } })).json() as any
  const bytes = Buffer.from(raw.data[0].embedding, 'base64')
  assert.equal(bytes.length, expected.length * 4)
  assert.ok(close(Array.from({ length: expected.length }, (_, i) => bytes.readFloatLE(i * 4)), expected.map((x) => Math.fround(x))))
  assert.equal(toBase64Float32([1, -2.5]), Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]).toString('base64'))
})

test('x-openclaw-model: provider/model picks the backend without memory.search', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t)
  const res = await fetch('/v1/embeddings', { headers: { 'x-openclaw-model': 'fake/embed-large' }, json: { model: 'openclaw', input: 'x' } })
  assert.equal(res.status, 200)
  assert.equal(upstream.lastRequest().body.model, 'embed-large')
})

test('input and model are validated with the contract wording', async (t) => {
  const { fetch } = await startHttpGateway(t, { config: searchConfig })
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ input: 'x' }, 'Missing `model`.'],
    [{ model: 'text-embedding-3-small', input: 'x' }, 'Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.'],
    [{ model: 'openclaw', input: [1, 2, 3] }, '`input` must be a string or an array of strings.'],
    [{ model: 'openclaw', input: [] }, '`input` must be a string or an array of strings.'],
    [{ model: 'openclaw', input: '' }, '`input` must be a string or an array of strings.'],
    [{ model: 'openclaw' }, '`input` must be a string or an array of strings.'],
    [{ model: 'openclaw', input: 'x', encoding_format: 'hex' }, 'Invalid \'encoding_format\': must be one of "float", "base64".']
  ]
  for (const [json, message] of cases) {
    const res = await fetch('/v1/embeddings', { json })
    assert.equal(res.status, 400, JSON.stringify(json))
    assert.equal(((await res.json()) as any).error.message, message)
  }
})

test('no backend configured is a 503 naming memory.search; a provider without embeddings is refused', async (t) => {
  const { fetch, setConfig, gw } = await startHttpGateway(t, {
    config: (up) => ({
      models: {
        providers: {
          fake: { baseUrl: up.openaiBaseUrl, api: 'openai-completions', models: [{ id: 'echo' }] },
          claude: { baseUrl: up.url, api: 'anthropic-messages', models: [{ id: 'c' }] }
        }
      }
    })
  })
  let res = await fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'x' } })
  assert.equal(res.status, 503)
  assert.equal(res.headers.get('x-should-retry'), 'false')
  assert.match(((await res.json()) as any).error.message, /set memory\.search\.provider .* and memory\.search\.model/)

  res = await fetch('/v1/embeddings', { headers: { 'x-openclaw-model': 'claude/c' }, json: { model: 'openclaw', input: 'x' } })
  assert.equal(res.status, 400)
  assert.match(((await res.json()) as any).error.message, /Provider 'claude' \(api anthropic-messages\) has no embeddings endpoint/)

  setConfig({ ...gw.app.configStore.config, memory: { search: { provider: 'missing', model: 'm' } } })
  res = await fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'x' } })
  assert.equal(res.status, 503)
  assert.match(((await res.json()) as any).error.message, /models\.providers\.missing/)
})

test('an upstream embeddings failure is a 502 with its reason', async (t) => {
  const { fetch, upstream } = await startHttpGateway(t, { config: searchConfig })
  const broken = { type: 'json' as const, status: 400, body: { error: { message: 'model embed-small does not exist' } } }
  upstream.enqueue(broken)
  const res = await fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'x' } })
  assert.equal(res.status, 502)
  assert.match(((await res.json()) as any).error.message, /^fake\/embed-small: .*does not exist/)
})
