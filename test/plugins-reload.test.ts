// Plugins follow the config: disabling one removes its routes, methods and
// tools and closes its instance; enabling it brings them back; the config file
// path (watch → hot plan) and npm packages in the state dir work too.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { classifyPath } from '../src/config/reload-plan.js'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { TEST_TOKEN } from './support/gateway.js'
import { connectOk } from './support/ws-client.js'
import { HELLO, fixture } from './support/plugins.js'

function setPlugins (h: HttpGateway, plugins: Record<string, unknown>): void {
  const store = h.gw.app.configStore
  const current = store.current
  store.swap({ ...current, snapshot: { ...current.snapshot, config: { ...current.snapshot.config, plugins } } }, ['plugins'])
}

async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const closedLogs = (h: HttpGateway) => h.gw.logs.filter((r) => r.plugin === 'hello' && r.msg === 'hello plugin closed').length

async function client (h: HttpGateway, t: TestContext) {
  const { client: c } = await connectOk(h.gw.url, { token: TEST_TOKEN, scopes: ['operator.admin'] })
  t.after(() => { c.close() })
  return c
}

test('plugins reload live: disable removes route, method and tool and closes the instance; enable brings them back', async (t) => {
  assert.equal(classifyPath('plugins.entries.hello.enabled'), 'hot')
  const h = await startHttpGateway(t, { captureLogs: true, config: () => ({ plugins: { load: { paths: [HELLO] } } }) })
  const c = await client(h, t)
  assert.equal((await h.fetch('/plugins/hello/greet')).status, 200)

  setPlugins(h, { load: { paths: [HELLO] }, entries: { hello: { enabled: false } } })
  await h.gw.app.pluginHost.settled()
  assert.equal((await h.fetch('/plugins/hello/greet')).status, 404)
  assert.equal((await c.request('hello.greet', {})).error.message, 'unknown method: hello.greet')
  assert.equal(h.gw.app.tools.get('hello_time'), undefined)
  assert.equal(closedLogs(h), 1, "the old instance's onClose ran")
  const listed = (await c.request('plugins.list', {})).payload.plugins
  assert.deepEqual(listed.map((p: any) => [p.id, p.enabled, p.activated]), [['hello', false, false]])

  setPlugins(h, { load: { paths: [HELLO] }, entries: { hello: { enabled: true, config: { greeting: 'Back' } } } })
  await h.gw.app.pluginHost.settled()
  assert.deepEqual(await (await h.fetch('/plugins/hello/greet')).json(), { message: 'Back, world!' })
  assert.equal((await c.request('hello.greet', {})).payload.message, 'Back, world!')
  assert.ok(h.gw.app.tools.get('hello_time') !== undefined)

  // A config change reloads the plugin: the previous instance is closed, the new one serves.
  setPlugins(h, { load: { paths: [HELLO] }, entries: { hello: { config: { greeting: 'Again' } } } })
  await h.gw.app.pluginHost.settled()
  assert.equal(closedLogs(h), 2)
  assert.deepEqual(await (await h.fetch('/plugins/hello/greet')).json(), { message: 'Again, world!' })

  await h.gw.close()
  assert.equal(closedLogs(h), 3, 'closing the gateway closes the plugin')
})

test('an edit of the config file reloads the plugins without a restart', async (t) => {
  const h = await startHttpGateway(t, { configFile: true, config: () => ({ plugins: { load: { paths: [HELLO] } } }) })
  const c = await client(h, t)
  const bootId = h.gw.app.gateway.bootId
  const config = JSON.parse(await readFile(h.gw.configPath, 'utf8'))
  config.plugins.entries = { hello: { config: { greeting: 'Filed' } } }
  await writeFile(h.gw.configPath, JSON.stringify(config), { mode: 0o600 })
  await waitFor('the new greeting', async () => {
    const res = await c.request('hello.greet', {})
    return res.payload?.message === 'Filed, world!' ? true : undefined
  })
  assert.equal(h.gw.app.gateway.bootId, bootId, 'no restart')
})

test('a plugin from an npm package in the state dir loads by its entry name', async (t) => {
  const h = await startHttpGateway(t, {})
  const dir = path.join(h.gw.stateDir, 'node_modules', 'oc-demo-plugin')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'oc-demo-plugin', type: 'module', exports: { '.': { import: './main.mjs' } } }))
  await writeFile(path.join(dir, 'main.mjs'), `export default {
    id: 'demo',
    register (ctx) { ctx.methods.add('demo.config', { scope: 'operator.read', handler: async () => ctx.config }) }
  }\n`)
  setPlugins(h, { entries: { 'oc-demo-plugin': { config: { answer: 42 } }, 'not-installed-plugin': {} } })
  await h.gw.app.pluginHost.settled()
  const c = await client(h, t)
  assert.deepEqual((await c.request('demo.config', {})).payload, { answer: 42 })
  const list = (await c.request('plugins.list', {})).payload.plugins
  assert.deepEqual(list.map((p: any) => [p.id, p.origin, p.activated]).sort(), [
    ['demo', 'npm:oc-demo-plugin', true],
    ['not-installed-plugin', 'npm:not-installed-plugin', false]
  ])
  assert.match(list.find((p: any) => p.id === 'not-installed-plugin').error, /npm package "not-installed-plugin" is not installed/)
})

test('plugins.reload (admin) picks up an edited entry file', async (t) => {
  const h = await startHttpGateway(t, {})
  const file = path.join(h.gw.stateDir, 'edit-me.mjs')
  const version = (n: number) => `export default { id: 'editable', register (ctx) { ctx.methods.add('editable.version', { scope: 'operator.read', handler: async () => ({ n: ${n} }) }) } }\n`
  await mkdir(h.gw.stateDir, { recursive: true })
  await writeFile(file, version(1))
  await utimes(file, new Date(1_000_000), new Date(1_000_000))
  setPlugins(h, { load: { paths: [file] } })
  await h.gw.app.pluginHost.settled()
  const c = await client(h, t)
  assert.deepEqual((await c.request('editable.version', {})).payload, { n: 1 })

  await writeFile(file, version(2))
  await utimes(file, new Date(2_000_000), new Date(2_000_000))
  const { client: reader } = await connectOk(h.gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { reader.close() })
  assert.equal((await reader.request('plugins.reload', {})).error.message, 'missing scope: operator.admin')
  const reloaded = await c.request('plugins.reload', {})
  assert.deepEqual(reloaded.payload.plugins.map((p: any) => [p.id, p.activated, p.methods]), [['editable', true, ['editable.version']]])
  assert.deepEqual((await c.request('editable.version', {})).payload, { n: 2 })
})

test('a reload rebuilds only what changed: unchanged plugins keep their instance, a broken one is reported, nothing leaks', async (t) => {
  const strict = fixture('strict-config.mjs')
  const h = await startHttpGateway(t, { captureLogs: true, config: () => ({ plugins: { load: { paths: [HELLO, strict] }, entries: { strict: { config: { limits: { max: 1 } } } } } }) })
  const c = await client(h, t)
  assert.equal((await c.request('strict.max', {})).payload.max, 1)
  const before = h.gw.app.pluginHost.list().find((p) => p.id === 'hello')

  // hello unchanged, strict's config changed, and a plugin that throws in register() added.
  setPlugins(h, { load: { paths: [HELLO, strict, fixture('throws-at-register.mjs')] }, entries: { strict: { config: { limits: { max: 2 } } } } })
  await h.gw.app.pluginHost.settled()
  assert.equal(closedLogs(h), 0, 'hello was not rebuilt')
  assert.deepEqual(await (await h.fetch('/plugins/hello/greet')).json(), { message: 'Hello, world!' })
  assert.equal((await c.request('hello.greet', {})).payload.message, 'Hello, world!')
  assert.equal((await c.request('strict.max', {})).payload.max, 2, 'the changed plugin was rebuilt')
  const health = (await c.request('health', { probe: true })).payload.plugins
  assert.deepEqual(health.loaded, ['hello', 'strict'])
  assert.deepEqual(health.errors.map((e: any) => [e.id, e.error]), [['half', 'register failed: boom at register']])
  assert.equal((await c.request('half.done', {})).error.message, 'unknown method: half.done')
  assert.equal((await h.fetch('/plugins/half/here')).status, 404)
  assert.deepEqual(h.gw.app.pluginHost.list().find((p) => p.id === 'hello'), before, 'same methods, tools and routes, once')

  // strict's config turns invalid: it alone goes (its instance closed, its method removed); hello stays.
  setPlugins(h, { load: { paths: [HELLO, strict] }, entries: { strict: { config: { limits: { max: 0 } } } } })
  await h.gw.app.pluginHost.settled()
  assert.equal((await c.request('strict.max', {})).error.message, 'unknown method: strict.max')
  assert.equal((await c.request('hello.greet', {})).payload.message, 'Hello, world!')
  assert.match(h.gw.app.pluginHost.list().find((p) => p.id === 'strict')!.error!, /^plugins\.entries\.strict\.config\.limits\.max: /)
  assert.equal(closedLogs(h), 0)

  // A reload that changes nothing rebuilds nothing.
  const again = await c.request('plugins.reload', {})
  assert.deepEqual(again.payload.plugins.find((p: any) => p.id === 'hello').methods, ['hello.greet'])
  assert.equal(closedLogs(h), 0)
  await h.gw.close()
  assert.equal(closedLogs(h), 1, 'the one hello instance closes with the gateway')
})
