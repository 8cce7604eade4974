// The shipped bundle (dist/openclaw.mjs, built by scripts/bundle.ts) end to end: the parts
// it loads lazily (the docs site and its static assets, undici for provider calls, route
// validators compiled on first use) work from the bundle, not only from tsc's output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baseConfig, freePort, makeHome, request, spawnGateway } from './support/spawn-gateway.js'
import { startFakeUpstream } from './support/fake-upstream.js'

const TOKEN = 'bundle-test-token-0123456'

test('the bundle serves the docs, validates bodies and calls providers', { timeout: 60_000 }, async (t) => {
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const probe = await makeHome(t, null)
  const home = await makeHome(t, baseConfig(probe, {
    gateway: { auth: { token: TOKEN } },
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo' } }
  }))
  const port = await freePort()
  await spawnGateway(home, ['--port', String(port)]).listening()
  const auth = { authorization: `Bearer ${TOKEN}` }

  const page = await request(port, '/v1/docs', { headers: auth })
  assert.equal(page.status, 200)
  assert.match(await page.text(), /swagger/i)
  // Swagger UI's assets are read from node_modules at run time.
  const logo = await request(port, '/v1/docs/static/logo.svg', { headers: auth })
  assert.equal(logo.status, 200)
  assert.match(await logo.text(), /<svg/)
  const doc = await (await request(port, '/v1/openapi.json', { headers: auth })).json() as { paths: Record<string, unknown> }
  assert.ok(doc.paths['/v1/chat/completions'] !== undefined)

  const invalid = await request(port, '/v1/chat/completions', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ messages: 'nope' }) })
  assert.equal(invalid.status, 400)
  assert.equal(((await invalid.json()) as { error: { type: string } }).error.type, 'invalid_request_error')

  const chat = await request(port, '/v1/chat/completions', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }) })
  assert.equal(chat.status, 200)
  const body = await chat.json() as { choices: Array<{ message: { content: string } }> }
  assert.equal(body.choices[0]!.message.content, 'echo: hi')
})
