// plugins/plugin-host.ts over a real gateway: the example plugin's routes,
// method and agent tool; broken plugins reported in health while the rest
// serves; a taken method name refused; plugin route errors and timeouts.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { openAiChatFrames } from './support/fake-upstream.js'
import { TEST_TOKEN } from './support/gateway.js'
import { HELLO, fixture } from './support/plugins.js'
import { connectOk } from './support/ws-client.js'
import { definePlugin, Type } from '../src/plugin-api.js'

const ADMIN = ['operator.admin', 'operator.read', 'operator.write']

async function start (t: TestContext, plugins: Record<string, unknown>, opts: Parameters<typeof startHttpGateway>[1] = {}): Promise<HttpGateway> {
  return await startHttpGateway(t, { ...opts, config: () => ({ plugins }) })
}

async function rpc (h: HttpGateway, t: TestContext, scopes = ADMIN) {
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN, scopes })
  t.after(() => { client.close() })
  return client
}

test('the example plugin: an authenticated route, a public one, a scoped method, plugins.list and health', async (t) => {
  const h = await start(t, { load: { paths: [HELLO] }, entries: { hello: { config: { greeting: 'Ahoy' } } } })

  const denied = await h.fetch('/plugins/hello/greet?name=Ada', { auth: false })
  assert.equal(denied.status, 401)
  assert.equal((await denied.json() as any).error.type, 'unauthorized')
  const greet = await h.fetch('/plugins/hello/greet?name=Ada')
  assert.equal(greet.status, 200)
  assert.deepEqual(await greet.json(), { message: 'Ahoy, Ada!' })
  assert.equal(greet.headers.get('x-content-type-options'), 'nosniff', 'the gateway security headers go out too')
  const ping = await h.fetch('/plugins/hello/ping', { auth: false })
  assert.deepEqual(await ping.json(), { ok: true, plugin: 'hello' })
  assert.equal((await h.fetch('/plugins/hello/nope')).status, 404)
  assert.equal((await h.fetch('/plugins/nobody/greet')).status, 404)

  const admin = await rpc(h, t)
  const res = await admin.request('hello.greet', { name: 'Grace' })
  assert.deepEqual(res.payload, { message: 'Ahoy, Grace!' })
  const pairingOnly = await rpc(h, t, ['operator.pairing'])
  const refused = await pairingOnly.request('hello.greet', {})
  assert.equal(refused.error.code, 'FORBIDDEN')
  assert.equal(refused.error.message, 'missing scope: operator.read')

  const list = (await admin.request('plugins.list', {})).payload.plugins
  assert.equal(list.length, 1)
  assert.deepEqual({ ...list[0], routes: [...list[0].routes].sort() }, {
    id: 'hello',
    origin: HELLO,
    enabled: true,
    activated: true,
    methods: ['hello.greet'],
    tools: ['hello_time'],
    routes: ['GET /plugins/hello/greet', 'GET /plugins/hello/ping'],
    channels: [],
    hookMappings: 0
  })
  const health = (await admin.request('health', {})).payload
  assert.deepEqual(health.plugins, { loaded: ['hello'], errors: [], status: { hello: { greeting: 'Ahoy' } } })
})

test('an agent run calls the plugin tool', async (t) => {
  const h = await start(t, { load: { paths: [HELLO] } })
  const client = await rpc(h, t)
  h.upstream.enqueue(
    { type: 'sse', frames: openAiChatFrames({ toolCalls: [{ id: 'c1', name: 'hello_time', arguments: '{}' }] }) },
    { type: 'sse', frames: openAiChatFrames({ text: 'it is late' }) }
  )
  await client.request('chat.send', { sessionKey: 'main', message: 'what time is it?', idempotencyKey: 'time-1' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'time-1' && f.payload.state === 'final', 5000)
  const [first, second] = h.upstream.requests
  assert.ok(first!.body.tools.some((x: any) => x.function.name === 'hello_time'), 'the tool is offered to the model')
  const toolMessage = second!.body.messages.find((m: any) => m.role === 'tool')
  assert.equal(toolMessage.tool_call_id, 'c1')
  assert.match(toolMessage.content, /\d{4}.*UTC/, 'the plugin answered with the time in UTC')
})

test('plugins that throw at import or register, or have an invalid config, are reported; the rest serves', async (t) => {
  const h = await start(t, {
    load: { paths: [fixture('throws-at-import.mjs'), fixture('throws-at-register.mjs'), fixture('strict-config.mjs'), HELLO] },
    entries: { strict: { config: { limits: { max: 0 } } } }
  })
  const client = await rpc(h, t)
  const health = (await client.request('health', {})).payload.plugins
  assert.deepEqual(health.loaded, ['hello'])
  const byId = Object.fromEntries(health.errors.map((e: any) => [e.id, e]))
  assert.deepEqual(Object.keys(byId).sort(), ['half', 'strict', 'throws-at-import'])
  assert.deepEqual(byId['throws-at-import'], { id: 'throws-at-import', origin: fixture('throws-at-import.mjs'), activated: false, error: 'import failed: boom at import' })
  assert.equal(byId.half.error, 'register failed: boom at register')
  assert.match(byId.strict.error, /^plugins\.entries\.strict\.config\.limits\.max: Expected integer to be greater or equal to 1/)

  // What the failed plugin added before throwing is gone; the example and the core still answer.
  assert.equal((await client.request('half.done', {})).error.message, 'unknown method: half.done')
  assert.equal(h.gw.app.tools.get('half_tool'), undefined)
  assert.equal((await h.fetch('/plugins/half/here')).status, 404)
  assert.equal((await client.request('hello.greet', {})).payload.message, 'Hello, world!')
  assert.equal((await h.fetch('/health')).status, 200)
})

test('a plugin cannot take a method name that exists; its other methods are rolled back', async (t) => {
  const h = await start(t, { load: { paths: [fixture('duplicate-method.mjs')] } })
  const client = await rpc(h, t)
  const health = (await client.request('health', {})).payload
  assert.equal(health.ok, true, 'the core health method still answers')
  assert.deepEqual(health.plugins.errors, [{ id: 'dup', origin: fixture('duplicate-method.mjs'), activated: false, error: 'register failed: method "health" is already registered' }])
  assert.equal((await client.request('dup.own', {})).error.message, 'unknown method: dup.own')
})

test('a plugin route that throws gets the error envelope; one that hangs gets 504; streams and bodies pass through', async (t) => {
  const h = await start(t, { load: { paths: [fixture('routes.mjs')] } }, { http: { requestTimeoutMs: 400 } })
  const boom = await h.fetch('/plugins/routes/boom')
  assert.equal(boom.status, 500)
  assert.deepEqual(await boom.json(), { error: { message: 'internal error', type: 'api_error', param: null, code: null } })
  const hang = await h.fetch('/plugins/routes/hang')
  assert.equal(hang.status, 504)
  assert.equal((await hang.json() as any).error.message, 'plugin route timed out')
  const echo = await h.fetch('/plugins/routes/echo', { json: { a: [1, 2] } })
  assert.deepEqual(await echo.json(), { got: { a: [1, 2] } })
  const stream = await h.fetch('/plugins/routes/stream')
  assert.equal(await stream.text(), 'chunk 0\nchunk 1\nchunk 2\n')
  assert.equal((await h.fetch('/health')).status, 200, 'the gateway is fine')
})

test('a plugin\'s hook mapping answers POST /hooks/<path>; channels are held by the host; an invalid mapping fails the plugin', async (t) => {
  const h = await startHttpGateway(t, { config: () => ({ plugins: { load: { paths: [fixture('contrib.mjs'), fixture('bad-mapping.mjs')] } }, hooks: { enabled: true, token: 'hook-token-0123456789' } }) })
  const host = h.gw.app.pluginHost
  const hook = await fetch(`${h.origin}/hooks/github`, { method: 'POST', headers: { authorization: 'Bearer hook-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify({ repo: 'acme/app' }) })
  assert.equal(hook.status, 200)
  const delivered = await hook.json() as { ok: boolean, mapping: string, runId?: string }
  assert.equal(delivered.ok, true)
  assert.equal(delivered.mapping, 'gh')
  assert.equal(typeof delivered.runId, 'string')
  assert.deepEqual(host.hookMappings(), [{ pluginId: 'contrib', mapping: { id: 'gh', match: { path: 'github' }, action: 'agent', messageTemplate: 'push to {{repo}}' } }])
  assert.deepEqual(host.channels().map((c) => [c.pluginId, c.channel.id, c.channel.label]), [['contrib', 'demo-chat', 'Demo chat']])
  const records = Object.fromEntries(host.list().map((r) => [r.id, r]))
  assert.equal(records.contrib!.hookMappings, 1)
  assert.deepEqual(records.contrib!.channels, ['demo-chat'])
  assert.match(records.badmap!.error!, /^register failed: invalid hook mapping: \/action/)

  let changes = 0
  host.onChange(() => { changes++ })
  await host.reload()
  assert.equal(changes, 1)
  assert.equal(host.channels().length, 1, 'a reload does not duplicate what plugins hold')
})

test('with auth mode none a plugin route still checks the caller\'s scope; config.scope overrides the default', async (t) => {
  const h = await start(t, { load: { paths: [HELLO, fixture('routes.mjs')] } }, { token: null })
  const as = (scopes: string) => ({ auth: false, headers: { 'x-openclaw-scopes': scopes } })
  const refused = await h.fetch('/plugins/hello/greet', as('operator.pairing'))
  assert.equal(refused.status, 403)
  assert.equal((await refused.json() as any).error.message, 'missing scope: operator.read')
  assert.equal((await h.fetch('/plugins/hello/greet', as('operator.read'))).status, 200)
  assert.equal((await h.fetch('/plugins/routes/echo', { ...as('operator.read'), json: {} })).status, 403, 'POST needs operator.write')
  assert.equal((await h.fetch('/plugins/routes/admin-only', as('operator.write'))).status, 403)
  assert.equal((await h.fetch('/plugins/routes/admin-only', as('operator.admin'))).status, 200)
})

// Compile-time: definePlugin types ctx.config from the schema (the build fails if these stop erroring).
export const typed = definePlugin({
  id: 'typed',
  configSchema: Type.Object({ n: Type.Integer() }),
  register (ctx) {
    const n: number = ctx.config.n
    // @ts-expect-error: not in the schema
    void ctx.config.missing
    // @ts-expect-error: a method needs a scope
    ctx.methods.add('typed.x', { handler: async () => n })
  }
})

test('a plugin whose register() never finishes is reported after the load timeout; the gateway starts', async (t) => {
  const h = await start(t, { load: { paths: [fixture('hangs-at-register.mjs'), HELLO] } }, { plugins: { loadTimeoutMs: 300 }, captureLogs: true })
  const [stuck] = h.gw.app.pluginHost.list().filter((r) => r.id === 'stuck')
  assert.equal(stuck!.activated, false)
  assert.equal(stuck!.error, 'register failed: register() did not finish within 300 ms')
  assert.equal(h.gw.app.rpc.has('stuck.early'), false)
  assert.equal((await h.fetch('/plugins/hello/ping', { auth: false })).status, 200)
  // What it tries to add after it was given up on is refused.
  const deadline = Date.now() + 5000
  while (!h.gw.logs.some((r) => r.msg === 'late add refused') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
  assert.deepEqual(h.gw.logs.filter((r) => r.msg === 'late add refused').map((r) => r.refused), ['plugin "stuck" is no longer active'])
  assert.equal(h.gw.app.rpc.has('stuck.late'), false)
})
