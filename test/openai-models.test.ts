// GET /v1/models and /v1/models/{id} (contract 3.3) through the openai SDK
// and raw requests, and the endpoint switches that gate the whole surface.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI, { NotFoundError } from 'openai'
import { startHttpGateway } from './support/http-gateway.js'

const twoAgents = () => ({ agents: { defaults: { model: 'fake/echo' }, entries: { main: { default: true }, research: {} } } })

test('models.list returns the agent-first ids in contract order, then provider models, with full model objects', async (t) => {
  const { client, fetch } = await startHttpGateway(t, { config: twoAgents })
  const ids: string[] = []
  for await (const m of client.models.list()) ids.push(m.id)
  assert.deepEqual(ids, ['openclaw', 'openclaw/default', 'openclaw/main', 'openclaw/research', 'fake/echo'])
  const body = await (await fetch('/v1/models')).json() as any
  assert.equal(body.object, 'list')
  assert.deepEqual(body.data[0], { id: 'openclaw', object: 'model', created: 0, owned_by: 'openclaw', permission: [] })
})

test('models.retrieve accepts encoded and raw ids; unknown agents and models are 404', async (t) => {
  const { client, fetch } = await startHttpGateway(t, { config: twoAgents })
  assert.equal((await client.models.retrieve('openclaw/research')).id, 'openclaw/research')
  assert.equal((await client.models.retrieve('openclaw')).owned_by, 'openclaw')
  await assert.rejects(client.models.retrieve('openclaw/ghost'), NotFoundError)

  const cases: Array<[string, number, string]> = [
    ['/v1/models/openclaw/research', 200, ''],
    ['/v1/models/agent%3Aresearch', 200, ''],
    ['/v1/models/openclaw%2Fghost', 404, "Model 'openclaw/ghost' not found."],
    ['/v1/models/gpt-4o', 404, "Model 'gpt-4o' not found."],
    ['/v1/models/fake%2Fecho', 200, ''],
    ['/v1/models/fake%2Fnope', 404, "Model 'fake/nope' not found."],
    // The router refuses a bad escape before the route runs; the envelope is still ours.
    ['/v1/models/%E0%A4%A', 400, 'Invalid request path encoding.']
  ]
  for (const [path, status, message] of cases) {
    const res = await fetch(path)
    assert.equal(res.status, status, path)
    if (message !== '') {
      const err = ((await res.json()) as any).error
      assert.equal(err.message, message)
      assert.equal(err.type, 'invalid_request_error')
    }
  }
})

test('a base URL without /v1, a doubled /v1 and doubled slashes still reach their routes (clients.md 1.1, #6)', async (t) => {
  const { fetch, origin, token } = await startHttpGateway(t, { config: twoAgents })
  // The SDK pointed at the bare origin, as a user who typed http://host:port would have it.
  const bare = new OpenAI({ apiKey: token!, baseURL: origin, maxRetries: 0, timeout: 10_000 })
  const ids: string[] = []
  for await (const m of bare.models.list()) ids.push(m.id)
  assert.deepEqual(ids, ['openclaw', 'openclaw/default', 'openclaw/main', 'openclaw/research', 'fake/echo'])
  assert.equal((await bare.models.retrieve('openclaw/research')).id, 'openclaw/research')
  const reply = await bare.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] })
  assert.equal(reply.object, 'chat.completion')
  for (const path of ['/v1/v1/models', '/v1//models', '//v1/models?x=1', '/models/']) {
    const res = await fetch(path)
    assert.equal(res.status, 200, path)
    assert.equal(((await res.json()) as any).object, 'list', path)
  }
  assert.equal(((await (await fetch('/v1/models//openclaw%2Fmain')).json()) as any).id, 'openclaw/main')
  // The aliases are the same routes: same auth, and not a catch-all.
  assert.equal((await fetch('/models', { auth: false })).status, 401)
  assert.equal((await fetch('/modelsx')).status, 404)
  assert.equal((await fetch('/v1/models')).status, 200)
})

test('endpoint switches apply per request: a disabled endpoint is a 404 in the OpenAI shape', async (t) => {
  const { fetch, setConfig, gw } = await startHttpGateway(t)
  const base = gw.app.configStore.config
  const endpoints = (chat: boolean, responses: boolean) =>
    setConfig({ ...base, gateway: { ...base.gateway, http: { endpoints: { chatCompletions: { enabled: chat }, responses: { enabled: responses } } } } })
  const chat = () => fetch('/v1/chat/completions', { json: { messages: [{ role: 'user', content: 'hi' }] } })
  const responses = () => fetch('/v1/responses', { json: { input: 'hi' } })

  endpoints(false, true)
  const res = await chat()
  assert.equal(res.status, 404)
  const err = ((await res.json()) as any).error
  assert.match(err.message, /gateway\.http\.endpoints\.chatCompletions\.enabled is false/)
  assert.equal(err.type, 'invalid_request_error')
  assert.equal((await responses()).status, 200)
  assert.equal((await fetch('/v1/models')).status, 200, 'models follow either switch')

  endpoints(true, false)
  assert.equal((await chat()).status, 200)
  assert.equal((await responses()).status, 404)

  endpoints(false, false)
  assert.equal((await fetch('/v1/models')).status, 404)
  assert.equal((await fetch('/v1/models/openclaw')).status, 404)
  assert.equal((await fetch('/v1/embeddings', { json: { model: 'openclaw', input: 'x' } })).status, 404)

  setConfig(base)
  assert.equal((await chat()).status, 200, 'on by default (spec decision 2)')
})

test('provider models: a listed provider/model runs the default agent on that model; switched off, it is a 404 model_not_found', async (t) => {
  const { client, upstream, fetch, setConfig, gw } = await startHttpGateway(t, {
    config: (up) => ({
      models: { providers: { fake: { baseUrl: up.openaiBaseUrl, api: 'openai-completions', apiKey: 'sk-test', models: [{ id: 'echo' }, { id: 'big' }] } } },
      agents: { defaults: { model: 'fake/echo' } }
    })
  })
  const fake = await client.models.retrieve('fake/big')
  assert.deepEqual([fake.id, fake.owned_by], ['fake/big', 'fake'])
  const reply = await client.chat.completions.create({ model: 'fake/big', messages: [{ role: 'user', content: 'hi' }] })
  assert.equal(reply.choices[0]!.message.content, 'echo: hi')
  assert.equal(reply.model, 'fake/big')
  assert.equal(upstream.lastRequest().body.model, 'big', 'the upstream was asked for the named model, not the agent default')
  const r = await client.responses.create({ model: 'fake/big', input: 'again' })
  assert.equal(r.output_text, 'echo: again')
  assert.equal(upstream.lastRequest().body.model, 'big')

  const base = gw.app.configStore.config
  setConfig({ ...base, gateway: { ...base.gateway, http: { models: { includeProviderModels: false } } } })
  const ids: string[] = []
  for await (const m of client.models.list()) ids.push(m.id)
  assert.ok(!ids.includes('fake/big'))
  const res = await fetch('/v1/chat/completions', { json: { model: 'fake/big', messages: [{ role: 'user', content: 'hi' }] } })
  assert.equal(res.status, 404)
  const err = ((await res.json()) as any).error
  assert.equal(err.code, 'model_not_found')
  assert.match(err.message, /^The model 'fake\/big' does not exist\./)
})
