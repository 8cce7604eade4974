// What reload says it did, it did: a real gateway process whose config file is
// deleted, broken, moved back, or whose logging, reload mode and port change;
// each test checks the effect (requests, files, health), not just a log line.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { chmod, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { baseConfig, freePort, makeHome, request, runCli, spawnGateway, writeConfig, type GatewayHome, type Spawned } from './support/spawn-gateway.js'
import { connectOk, type TestClient } from './support/ws-client.js'
import { waitFor } from './support/wait.js'

const TOKEN = 'trust-token-aaaaaaaaaaaa'
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } }
const WAIT = 15_000

function config (home: GatewayHome, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { gateway, ...rest } = extra
  return baseConfig(home, { ...rest, gateway: { auth: { token: TOKEN }, ...(gateway as object | undefined) } })
}

async function start (t: import('node:test').TestContext, home: GatewayHome, args: string[] = []): Promise<{ gw: Spawned, port: number }> {
  const port = await freePort()
  const gw = spawnGateway(home, ['--port', String(port), ...args])
  t.after(() => gw.kill())
  await gw.listening()
  return { gw, port }
}

async function admin (t: import('node:test').TestContext, port: number): Promise<{ client: TestClient, hello: Record<string, any> }> {
  const c = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.admin', 'operator.read'] })
  t.after(() => { c.client.close() })
  return c
}

/** The first `health` event (recorded from frame `since` on, or still to come) whose payload satisfies `ok`. */
async function healthWhere (client: TestClient, ok: (h: Record<string, any>) => boolean, since = 0): Promise<Record<string, any>> {
  const f = await client.next((f) => f.type === 'event' && f.event === 'health' && ok(f.payload) && client.frames.indexOf(f) >= since, WAIT)
  return f.payload
}

test('a deleted config file keeps the gateway on its last good config, shows in health, and is picked up when it is back', { timeout: 90_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, config(home))
  const { gw, port } = await start(t, home)
  const { client } = await admin(t, port)

  await rm(home.configPath)
  await gw.waitFor(/config file .*openclaw\.json is missing/, WAIT)
  const degraded = await healthWhere(client, (h) => typeof h.configReload?.lastError === 'string')
  assert.match(degraded.configReload.lastError, new RegExp(`${home.configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is missing`))
  assert.equal(typeof degraded.configReload.lastErrorAt, 'number')
  assert.equal(gw.exit, undefined, 'still running')
  assert.equal((await request(port, '/v1/models', AUTH)).status, 200, 'still serving with the old token')
  const res = await client.request('health', {})
  assert.match(res.payload.configReload.lastError, /is missing/)

  // The file comes back (an editor's delete + create) with a change: applied, and health clears.
  let mark = client.frames.length
  await writeConfig(home, config(home, { gateway: { http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } } } }))
  await healthWhere(client, (h) => h.configReload?.lastError === undefined, mark)
  assert.equal((await request(port, '/v1/models', AUTH)).status, 404, 'the recreated file is in effect')

  // Moved away and back unchanged: degraded, then healthy again.
  await rename(home.configPath, `${home.configPath}.moved`)
  mark = client.frames.length
  const moved = await healthWhere(client, (h) => typeof h.configReload?.lastError === 'string', mark)
  assert.match(moved.configReload.lastError, /is missing/)
  mark = client.frames.length
  await rename(`${home.configPath}.moved`, home.configPath)
  await healthWhere(client, (h) => h.configReload?.lastError === undefined, mark)
  assert.equal(gw.exit, undefined)
})

test('an invalid edit shows in health and in the next hello-ok until a good edit clears it', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, config(home))
  const { gw, port } = await start(t, home)
  const { client } = await admin(t, port)

  await writeConfig(home, '{ gateway: { mode: "local", port: "not a port" } }')
  await gw.waitFor(/config reload skipped \(invalid config\)/, WAIT)
  await healthWhere(client, (h) => /gateway\.port/.test(h.configReload?.lastError ?? ''))
  const { hello } = await admin(t, port)
  assert.match(hello.snapshot.health.configReload.lastError, /invalid config .*: gateway\.port: /)
  assert.equal(typeof hello.snapshot.health.configReload.lastErrorAt, 'number')
  assert.deepEqual(hello.snapshot.health.secrets, { status: 'ok' })
  assert.equal((await request(port, '/v1/models', AUTH)).status, 200, 'the running config stays')
  const status = await runCli(home, ['gateway', 'status', '--json', '--url', `ws://127.0.0.1:${port}`, '--token', TOKEN])
  assert.match(JSON.parse(status.stdout).gateway.configReload.lastError, /gateway\.port/)
  const human = await runCli(home, ['gateway', 'status', '--url', `ws://127.0.0.1:${port}`, '--token', TOKEN])
  assert.match(human.stdout, /^Config: last edit not applied \(since .*\) — invalid config .*gateway\.port/m)

  const mark = client.frames.length
  await writeConfig(home, config(home, { meta: { note: 'fixed' } }))
  await healthWhere(client, (h) => h.configReload?.lastError === undefined, mark)
  const { hello: after } = await admin(t, port)
  assert.equal(after.snapshot.health.configReload.lastError, undefined)
})

test('a failed secret resolution marks secrets degraded and keeps the old values; a good one recovers', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  const secretFile = path.join(home.dir, 'gateway-token.txt')
  await writeFile(secretFile, `${TOKEN}\n`, { mode: 0o600 })
  await chmod(secretFile, 0o600)
  await writeConfig(home, baseConfig(home, {
    gateway: { auth: { token: { source: 'file', provider: 'tok', id: 'value' } } },
    secrets: { providers: { tok: { source: 'file', path: secretFile, mode: 'singleValue' } } }
  }))
  const { port } = await start(t, home)
  const { client } = await admin(t, port)

  await rm(secretFile)
  const failed = await client.request('secrets.reload', {})
  assert.equal(failed.ok, false)
  assert.equal(failed.error.code, 'UNAVAILABLE')
  const degraded = await healthWhere(client, (h) => h.secrets?.status === 'degraded')
  assert.match(degraded.secrets.lastError, /gateway\.auth\.token/)
  assert.equal((await request(port, '/v1/models', AUTH)).status, 200, 'the last good token still works')

  await writeFile(secretFile, `${TOKEN}\n`, { mode: 0o600 })
  const mark = client.frames.length
  const ok = await client.request('secrets.reload', {})
  assert.equal(ok.ok, true)
  await healthWhere(client, (h) => h.secrets?.status === 'ok' && h.secrets.lastError === undefined, mark)
})

test('logging.level and logging.file apply live: debug lines appear, then go to the new file', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, config(home))
  const { gw, port } = await start(t, home)
  const unauthorized = async () => { assert.equal((await request(port, '/v1/models', { headers: { authorization: 'Bearer wrong' } })).status, 401) }

  await unauthorized()
  assert.doesNotMatch(await readFile(home.logFile, 'utf8'), /unauthorized http request/, 'info level: no debug lines')

  await writeConfig(home, config(home, { logging: { file: home.logFile, level: 'debug' } }))
  await gw.waitFor(/config hot reload applied \(logging\.level\)/, WAIT)
  await unauthorized()
  await waitForFile(home.logFile, /unauthorized http request/)

  const second = path.join(home.dir, 'second.log')
  await writeConfig(home, config(home, { logging: { file: second, level: 'debug' } }))
  await gw.waitFor(/config hot reload applied \(logging\.file\)/, WAIT)
  await unauthorized()
  await waitForFile(second, /unauthorized http request/)
})

test('reload row classes by effect: mode off (none) watches nothing, SIGHUP applies and turns watching on, a port change (restart) moves the gateway', { timeout: 90_000 }, async (t) => {
  const home = await makeHome(t, null)
  const port = await freePort()
  const endpointsOff = { http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } } }
  await writeConfig(home, config(home, { gateway: { port, reload: { mode: 'off' } } }))
  const gw = spawnGateway(home)
  t.after(() => gw.kill())
  await gw.listening()

  // Mode off: an edit is not applied until SIGHUP asks for it; that edit also turns watching on (gateway.reload is "none").
  await writeConfig(home, config(home, { gateway: { port, reload: { mode: 'hybrid' }, ...endpointsOff } }))
  const { client } = await admin(t, port)
  assert.equal((await client.request('health', {})).payload.configReload.hotReloadStatus, 'disabled')
  assert.equal((await request(port, '/v1/models', AUTH)).status, 200, 'mode off: not applied')
  gw.signal('SIGHUP')
  await gw.waitFor(/config hot reload applied \(gateway\.reload\.mode, gateway\.http\.endpoints/, WAIT)
  assert.equal((await request(port, '/v1/models', AUTH)).status, 404, 'SIGHUP applied the edit')

  // gateway.port (restart), picked up by the watcher that mode hybrid now runs: the gateway moves.
  const port2 = await freePort()
  await writeConfig(home, config(home, { gateway: { port: port2, reload: { mode: 'hybrid' }, ...endpointsOff } }))
  await gw.waitFor(new RegExp(`listening on ws://127\\.0\\.0\\.1:${port2}`), WAIT)
  assert.equal((await request(port2, '/healthz')).status, 200)
  await assert.rejects(request(port, '/healthz'), 'the old port is closed')
  assert.equal(gw.exit, undefined, 'same process')
})

test('SIGUSR2 restarts in place; the ready line measures the restart; a missing file restarts on the last good config', { timeout: 90_000 }, async (t) => {
  const home = await makeHome(t, null)
  await writeConfig(home, config(home))
  const { gw, port } = await start(t, home)
  const { client } = await admin(t, port)
  // Long enough that a figure counted from process start could not pass for the restart's own.
  await new Promise((resolve) => setTimeout(resolve, 1000))

  const signalledAt = Date.now()
  gw.signal('SIGUSR2')
  const shutdown = await client.event('shutdown', WAIT)
  assert.equal(typeof shutdown.payload.restartExpectedMs, 'number')
  const ready = await gw.waitFor(/restarting: SIGUSR2[\s\S]*restart: stopped in (\d+)ms; starting again[\s\S]*ready \(auth token; (\d+)ms\)/, WAIT)
  const observed = Date.now() - signalledAt
  assert.ok(Number(ready[2]) <= observed + 50, `ready ${ready[2]} ms within the ${observed} ms the restart took`)
  assert.ok(Number(ready[1]) <= Number(ready[2]), `the stop (${ready[1]} ms) is part of the restart (${ready[2]} ms)`)
  assert.equal(gw.exit, undefined, 'same process')
  const { hello } = await admin(t, port)
  assert.ok(hello.snapshot.uptimeMs < observed + 1000, 'a fresh gateway instance')

  // The file is gone at the next restart: the last good config keeps serving, and health says why.
  await rm(home.configPath)
  await gw.waitFor(/is missing/, WAIT)
  gw.signal('SIGUSR2')
  await gw.waitFor(/restarted on the last good config[\s\S]*listening on/, WAIT)
  assert.equal((await request(port, '/v1/models', AUTH)).status, 200)
  const { client: after } = await admin(t, port)
  const health = await after.request('health', {})
  assert.match(health.payload.configReload.lastError, /is missing/)
  assert.equal(gw.exit, undefined)
  // Two restarts, one process: the log file is open once, not once per start.
  if (existsSync(`/proc/${gw.pid}/fd`)) assert.equal(await openCount(gw.pid, home.logFile), 1)
})

async function openCount (pid: number, file: string): Promise<number> {
  const dir = `/proc/${pid}/fd`
  const targets = await Promise.all((await readdir(dir)).map(async (fd) => await readlink(path.join(dir, fd)).catch(() => '')))
  return targets.filter((target) => target === file).length
}

async function waitForFile (file: string, pattern: RegExp): Promise<void> {
  await waitFor(`${pattern} in ${file}`, async () => pattern.test(await readFile(file, 'utf8').catch(() => '')), WAIT)
}
