// plugins/control-ui.ts over plain HTTP: headers and CSP, caching, the SPA
// fallback (HTML navigations only), 404s, the base path, enabled:false applied
// live, the bootstrap JSON behind auth, the WebSocket upgrade on `/` untouched,
// and the real build (ui/dist) served whole. Plus `openclaw dashboard`.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { build, TEST_TOKEN, type TestGateway, type TestGatewayOptions } from './support/gateway.js'
import { makeHome, runCli } from './support/spawn-gateway.js'
import { connectOk } from './support/ws-client.js'
import { dashboardUrl, browserOpener } from '../src/cli/dashboard.js'
import { isHtmlNavigation, normalizeBasePath, rewriteIndex } from '../src/http/control-ui.js'

const INDEX = '<!doctype html><html lang="en"><head><link rel="stylesheet" href="./assets/app-1a2b3c.css"></head><body><div id="app"></div><script type="module" src="./assets/app-1a2b3c.js"></script></body></html>'
const BUILT = fileURLToPath(new URL('../../ui/dist/', import.meta.url))

async function fixtureRoot (t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-ui-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await mkdir(path.join(dir, 'assets'))
  await writeFile(path.join(dir, 'index.html'), INDEX)
  await writeFile(path.join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("app")')
  await writeFile(path.join(dir, 'assets', 'app-1a2b3c.css'), 'body{}')
  await writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  return dir
}

async function gateway (t: TestContext, controlUi: Record<string, unknown>, opts: TestGatewayOptions = {}): Promise<TestGateway & { get: (p: string, init?: RequestInit) => Promise<Response> }> {
  const gw = await build(t, { ...opts, config: { ...opts.config, gateway: { controlUi } } })
  const get = (p: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${gw.port}${p}`, { ...init, signal: AbortSignal.timeout(10_000) })
  return { ...gw, get }
}

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }

test('index.html: security headers, CSP, no-cache, asset URLs made absolute', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  const res = await gw.get('/', { headers: html })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal(res.headers.get('cache-control'), 'no-cache')
  assert.equal(res.headers.get('x-frame-options'), 'DENY')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
  const csp = res.headers.get('content-security-policy') ?? ''
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "connect-src 'self' ws: wss:"]) {
    assert.ok(csp.split('; ').includes(directive), `CSP has ${directive}: ${csp}`)
  }
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/)
  const body = await res.text()
  assert.match(body, /src="\/assets\/app-1a2b3c\.js"/)
  assert.match(body, /<html data-openclaw-control-ui-base-path="" lang="en">/)
  // Without an Accept header too: `/` is the app itself, not a fallback.
  assert.equal((await gw.get('/')).status, 200)
  assert.equal((await gw.get('/index.html')).status, 200)
})

test('hashed assets are immutable; a missing asset is a 404 even for a browser', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  const js = await gw.get('/assets/app-1a2b3c.js')
  assert.equal(js.status, 200)
  assert.match(js.headers.get('content-type') ?? '', /javascript/)
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable')
  assert.equal(await js.text(), 'console.log("app")')
  assert.match((await gw.get('/assets/app-1a2b3c.css')).headers.get('content-type') ?? '', /text\/css/)
  const missing = await gw.get('/assets/app-000000.js', { headers: html })
  assert.equal(missing.status, 404)
  assert.equal(await missing.text(), 'Not Found')
  assert.equal((await gw.get('/assets/../index.html')).status, 200, 'normalized by the client to /index.html')
  assert.equal((await gw.get('/assets/%2e%2e/%2e%2e/package.json')).status, 404)
  assert.equal((await gw.get('/favicon.svg')).headers.get('cache-control'), 'no-cache')
})

test('SPA fallback: unknown paths give the app to HTML navigations only', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  const deep = await gw.get('/sessions/agent:main:main', { headers: html })
  assert.equal(deep.status, 200)
  assert.match(await deep.text(), /<div id="app">/)
  for (const accept of ['application/json', '*/*', '']) {
    const res = await gw.get('/sessions', { headers: accept === '' ? {} : { accept } })
    assert.equal(res.status, 404, `Accept ${accept}`)
    await res.body?.cancel()
  }
  const post = await gw.get('/sessions', { method: 'POST', headers: html })
  assert.equal(post.status, 404)
  await post.body?.cancel()
  // Other surfaces keep their own 404s.
  const api = await gw.get('/v1/nope', { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
  assert.equal(api.status, 404)
  assert.equal((await api.json() as { error: { code: string } }).error.code, 'unknown_route')
  const apiPost = await gw.get('/v1/nope', { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}` } })
  assert.equal(apiPost.status, 404, 'the fallback route is no evidence that /v1/nope exists (no 405)')
  await apiPost.body?.cancel()
  const apiInBrowser = await gw.get('/v1/nope', { headers: html })
  assert.equal(apiInBrowser.status, 404)
  await apiInBrowser.body?.cancel()
  // Probes and the API still answer as before.
  assert.equal((await gw.get('/healthz', { headers: html })).status, 200)
})

test('the WebSocket upgrade on / still reaches the control plane', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  const { client, hello } = await connectOk(gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  assert.equal(hello.type, 'hello-ok')
})

test('basePath moves the app and its WebSocket; / is no longer the app', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t), basePath: '/openclaw/' })
  const page = await gw.get('/openclaw', { headers: html })
  assert.equal(page.status, 200)
  const body = await page.text()
  assert.match(body, /src="\/openclaw\/assets\/app-1a2b3c\.js"/)
  assert.match(body, /data-openclaw-control-ui-base-path="\/openclaw"/)
  assert.equal((await gw.get('/openclaw/')).status, 200)
  assert.equal((await gw.get('/openclaw/chat', { headers: html })).status, 200)
  assert.equal((await gw.get('/openclaw/assets/app-1a2b3c.js')).status, 200)
  const root = await gw.get('/', { headers: html })
  assert.equal(root.status, 404)
  await root.body?.cancel()
  assert.equal((await gw.get('/openclaw/control-ui-config.json', { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status, 200)
  // The page's WebSocket goes to its own path; the control plane answers there and on / alike.
  for (const url of [`${gw.url}/openclaw`, `${gw.url}/openclaw/`, gw.url]) {
    const { client, hello } = await connectOk(url, { token: TEST_TOKEN })
    client.close()
    assert.equal(hello.type, 'hello-ok', url)
  }
})

test('gateway.controlUi.enabled: false applies live, and back', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  const store = gw.app.configStore
  const set = (enabled: boolean) => {
    const current = store.current
    const config = { ...current.snapshot.config, gateway: { ...current.snapshot.config.gateway, controlUi: { ...current.snapshot.config.gateway?.controlUi, enabled } } }
    store.swap({ ...current, snapshot: { ...current.snapshot, config } }, ['gateway.controlUi.enabled'])
  }
  set(false)
  for (const p of ['/', '/assets/app-1a2b3c.js', '/chat']) {
    const res = await gw.get(p, { headers: html })
    assert.equal(res.status, 404, p)
    await res.body?.cancel()
  }
  const { client } = await connectOk(gw.url, { token: TEST_TOKEN })
  client.close()
  set(true)
  assert.equal((await gw.get('/', { headers: html })).status, 200)
})

test('control-ui-config.json: behind read auth, the fields that mean something here', async (t) => {
  const gw = await gateway(t, { root: await fixtureRoot(t) })
  assert.equal((await gw.get('/control-ui-config.json')).status, 401)
  for (const p of ['/control-ui-config.json', '/__openclaw/control-ui-config.json', '/__openclaw__/control-ui-config.json']) {
    const res = await gw.get(p, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    assert.equal(res.status, 200, p)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const body = await res.json() as Record<string, unknown>
    assert.equal(body.basePath, '')
    assert.equal(body.serverVersion, '0.0.0-test')
    assert.equal(typeof body.assistantName, 'string')
    assert.equal(body.terminalEnabled, false)
    assert.deepEqual(body.pluginFrameGrants, [])
  }
})

test('a root without a build answers 503 with the fix', async (t) => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'ocgw-ui-empty-'))
  t.after(() => rm(empty, { recursive: true, force: true }))
  const gw = await gateway(t, { root: empty })
  const res = await gw.get('/', { headers: html })
  assert.equal(res.status, 503)
  assert.equal(res.headers.get('retry-after'), '1')
  assert.match(await res.text(), /Control UI assets not found at .*npm run build/)
})

test('the real build: index.html, every asset it links, under the size budget', async (t) => {
  const gw = await gateway(t, {})
  const res = await gw.get('/', { headers: html })
  assert.equal(res.status, 200, 'ui/dist is built by npm run build')
  const body = await res.text()
  const urls = [...body.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!)
  assert.ok(urls.some((u) => /^\/assets\/main-[A-Z0-9]+\.js$/.test(u)), body)
  let gzipped = 0
  for (const u of urls) {
    const asset = await gw.get(u)
    assert.equal(asset.status, 200, u)
    const bytes = Buffer.from(await asset.arrayBuffer())
    if (u.startsWith('/assets/')) gzipped += gzipSync(bytes).length
  }
  assert.ok(gzipped < 150 * 1024, `first load ${gzipped} bytes gzipped`)
  // Precompressed by the build, served to browsers that accept it.
  const script = urls.find((u) => u.endsWith('.js'))!
  for (const encoding of ['br', 'gzip']) {
    const packed = await gw.get(script, { headers: { 'accept-encoding': encoding } })
    assert.equal(packed.headers.get('content-encoding'), encoding)
    assert.equal(packed.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.equal(packed.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.match(packed.headers.get('vary') ?? '', /accept-encoding/i, 'caches keep one copy per encoding')
    assert.match(await packed.text(), /openclaw/, 'decoded by fetch')
  }
  // The built index is what the plugin rewrites.
  const source = await readFile(path.join(BUILT, 'index.html'), 'utf8')
  assert.equal(rewriteIndex(source, ''), body)
  assert.ok(gunzipSync(gzipSync(Buffer.from(body))).length > 0)
})

test('pure parts: base path, HTML navigation, the dashboard URL, the browser opener', () => {
  assert.equal(normalizeBasePath(undefined), '')
  assert.equal(normalizeBasePath('/'), '')
  assert.equal(normalizeBasePath('/ui/'), '/ui')
  assert.equal(isHtmlNavigation('text/html,*/*'), true)
  assert.equal(isHtmlNavigation('*/*'), false)
  assert.equal(isHtmlNavigation(undefined), false)
  assert.equal(dashboardUrl('127.0.0.1', 18789, undefined, 'a b&c'), 'http://127.0.0.1:18789/#token=a%20b%26c')
  assert.equal(dashboardUrl('::1', 1, '/ui/', undefined), 'http://[::1]:1/ui/')
  assert.equal(browserOpener({ PATH: '/usr/bin:/bin' }), undefined, 'no display, no browser')
})

test('openclaw dashboard prints the link with the token in the fragment, never a query', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, { gateway: { mode: 'local', port: 18999, auth: { token: 'dash-token-0123456789' }, controlUi: { basePath: '/ui' } } })
  const r = await runCli(home, ['dashboard', '--no-open'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'http://127.0.0.1:18999/ui/#token=dash-token-0123456789')
  const printed = await runCli(home, ['dashboard'], { env: { DISPLAY: undefined, WAYLAND_DISPLAY: undefined } })
  assert.match(printed.stdout, /^http:\/\/127\.0\.0\.1:18999\/ui\/#token=dash-token-0123456789\nOpen this URL in a browser/)
})
