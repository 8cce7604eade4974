// The Control UI in a real browser (headless Chromium) against an in-process
// gateway and a fake model upstream: sign-in from the dashboard link, wrong
// and missing tokens, health, a streamed chat reply, abort, sessions, logs,
// and the pure-JS device key where WebCrypto lacks Ed25519. Every wait is on
// DOM state, bounded by UI_WAIT_MS. Screenshots land in test-output/screenshots/.
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ServerResponse } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { startHttpGateway, type HttpGateway, type HttpGatewayOptions } from './support/http-gateway.js'
import { DESKTOP, PHONE, UI_WAIT_MS, haveChromium, launchBrowser, openPage, screenshot, waitForStatus } from './support/browser.js'
import { TEST_TOKEN } from './support/gateway.js'
import { connectOk } from './support/ws-client.js'

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (CHROMIUM_PATH)'
let browser: Browser | undefined

before(async () => { if (skip === false) browser = await launchBrowser() })
after(async () => { await browser?.close() })

async function gateway (t: TestContext, opts: HttpGatewayOptions = {}): Promise<HttpGateway> {
  return await startHttpGateway(t, opts)
}

/** Opens the dashboard link (`#token=`) and waits for Connected. */
async function signedIn (t: TestContext, gw: HttpGateway, viewport = DESKTOP, route = ''): Promise<Page> {
  const { page, errors } = await openPage(t, browser!, viewport)
  t.after(() => { assert.deepEqual(errors, [], 'no uncaught errors in the page') })
  await page.goto(`${gw.origin}/${route}#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  return page
}

function chunk (content: string, finish?: string): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'echo', choices: [{ index: 0, delta: finish === undefined ? { content } : {}, finish_reason: finish ?? null }] })}\n\n`
}

/** An upstream reply that sends `first`, then waits for `release()` before the rest. */
function gatedReply (first: string, rest: string) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  return {
    release,
    reply: {
      type: 'custom' as const,
      handle: async (_req: unknown, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write(chunk(first))
        await gate
        res.write(chunk(rest))
        res.write(chunk('', 'stop'))
        res.end('data: [DONE]\n\n')
      }
    }
  }
}

test('the dashboard link signs in, the token leaves the address bar, health and version show', { skip }, async (t) => {
  const gw = await gateway(t)
  const { page, errors } = await openPage(t, browser!)
  await page.goto(`${gw.origin}/#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  assert.equal(new URL(page.url()).hash, '', 'token fragment removed')
  assert.doesNotMatch(page.url(), /token/)
  assert.equal(await page.evaluate('sessionStorage.getItem("openclaw.token")'), TEST_TOKEN)
  await page.getByTestId('health').getByText('Healthy').waitFor()
  assert.equal(await page.getByTestId('gateway-version').textContent(), 'v0.0.0-test')
  await page.getByRole('cell', { name: 'ui', exact: true }).first().waitFor()
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1)
  process.stdout.write(`# control-ui first-contentful-paint: ${fcp.toFixed(0)} ms\n`)
  assert.ok(fcp > 0 && fcp < 3000, `first contentful paint ${fcp} ms`)
  // A reload keeps the tab signed in (sessionStorage), without the fragment.
  await page.reload()
  await waitForStatus(page, 'Connected')
  await screenshot(page, 'overview')
  assert.deepEqual(errors, [])
})

test('overview shows degraded states: a config edit not applied, secrets degraded', { skip }, async (t) => {
  const gw = await gateway(t)
  const store = gw.gw.app.configStore
  store.reportProblem('reload', { message: 'gateway.port: expected integer', at: Date.now() })
  store.reportProblem('secrets', { message: 'models.providers.fake.apiKey: env OPENAI_KEY is not set', at: Date.now() })
  const page = await signedIn(t, gw)
  await page.getByTestId('health').getByText('Degraded').waitFor()
  await page.getByText('The last config edit was not applied.').waitFor()
  await page.getByText('gateway.port: expected integer').waitFor()
  await page.getByText('Secrets are degraded.').waitFor()
  await screenshot(page, 'overview-degraded')
})

test('a wrong token says so and offers the login form; the right one connects', { skip }, async (t) => {
  const gw = await gateway(t)
  const { page } = await openPage(t, browser!)
  await page.goto(`${gw.origin}/#token=not-the-token`)
  await page.getByTestId('login-error').getByText('did not accept this token').waitFor()
  assert.equal(await page.getByTestId('connection-status').textContent(), 'Disconnected')
  assert.equal(new URL(page.url()).hash, '')
  await screenshot(page, 'login-wrong-token')
  await page.getByLabel('Gateway token').fill(TEST_TOKEN)
  await page.getByRole('button', { name: 'Connect' }).click()
  await waitForStatus(page, 'Connected')
})

test('no token: the login form asks for one (keyboard only)', { skip }, async (t) => {
  const gw = await gateway(t)
  const { page } = await openPage(t, browser!, PHONE)
  await page.goto(`${gw.origin}/`)
  await page.getByTestId('login-error').getByText('needs its token').waitFor()
  await screenshot(page, 'login')
  await page.getByLabel('Gateway token').focus()
  await page.keyboard.type(TEST_TOKEN)
  await page.keyboard.press('Enter')
  await waitForStatus(page, 'Connected')
})

test('a browser that is not paired waits, says how to approve it, and connects once approved', { skip }, async (t) => {
  // The browser counts as remote (no silent pairing); the test's own CLI client stays local.
  const gw = await gateway(t, { wsRpc: { isLocalClient: (request) => !String(request.headers['user-agent']).includes('Chrome') } })
  const { page } = await openPage(t, browser!)
  await page.goto(`${gw.origin}/#token=${TEST_TOKEN}`)
  const problem = page.getByTestId('connection-problem')
  await problem.getByText('not paired with the gateway yet').waitFor()
  const requestId = /"requestId":"([^"]+)"/.exec(await problem.textContent() ?? '')?.[1]
  assert.ok(requestId !== undefined && requestId !== '', 'the message names the request to approve')
  await screenshot(page, 'pairing-required')
  const { client } = await connectOk(gw.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  const approved = await client.request('device.pair.approve', { requestId })
  assert.equal(approved.ok, true, JSON.stringify(approved.error))
  await waitForStatus(page, 'Connected')
})

test('a gateway that goes away: Reconnecting, and the page says it is unreachable', { skip }, async (t) => {
  const gw = await gateway(t)
  const page = await signedIn(t, gw)
  await gw.gw.close()
  await waitForStatus(page, 'Reconnecting')
  await page.getByTestId('connection-problem').getByText('is unreachable').waitFor()
  await page.getByTestId('health').waitFor()
  await screenshot(page, 'unreachable')
})

test('from another host name: "origin not allowed" in words; once allowed, pairing (signed with the pure-JS key)', { skip }, async (t) => {
  const gw = await gateway(t)
  // A name that resolves to loopback but is neither local nor private: a plain-HTTP page there is not a secure context.
  const remote = await launchBrowser(['--host-resolver-rules=MAP ui.example.test 127.0.0.1'])
  t.after(() => remote.close())
  const { page } = await openPage(t, remote)
  const origin = `http://ui.example.test:${gw.gw.port}`
  await page.goto(`${origin}/#token=${TEST_TOKEN}`)
  assert.equal(await page.evaluate('window.isSecureContext'), false)
  const problem = page.getByTestId('connection-problem')
  await problem.getByText('does not accept connections from this page').waitFor()
  assert.match(await problem.textContent() ?? '', /gateway\.controlUi\.allowedOrigins/)
  await screenshot(page, 'origin-not-allowed')

  const config = gw.gw.app.configStore.current.snapshot.config
  gw.setConfig({ ...config, gateway: { ...config.gateway, controlUi: { allowedOrigins: [origin] } } })
  await page.getByRole('button', { name: 'Retry' }).click()
  // The gateway verified the browser's signature before asking for pairing.
  await problem.getByText('not paired with the gateway yet').waitFor()
})

test('chat: the reply streams in, then settles; history survives a reload', { skip }, async (t) => {
  const gw = await gateway(t)
  const gated = gatedReply('Hello', ', streaming world')
  gw.upstream.enqueue(gated.reply)
  const page = await signedIn(t, gw, DESKTOP, 'chat')
  await page.getByLabel('Message').fill('hi there')
  await page.getByLabel('Message').press('Enter')
  const streaming = page.locator('.bubble[data-streaming=true]')
  await streaming.getByText('Hello').waitFor()
  await page.getByRole('button', { name: 'Stop' }).waitFor()
  gated.release()
  await page.locator('.bubble.assistant:not([data-streaming])').getByText('Hello, streaming world').waitFor()
  await page.getByRole('button', { name: 'Send' }).waitFor()
  assert.equal(await page.getByLabel('Message').inputValue(), '', 'sent text leaves the composer')
  await page.reload()
  await waitForStatus(page, 'Connected')
  await page.locator('.bubble.user').getByText('hi there').waitFor()
  await page.locator('.bubble.assistant').getByText('Hello, streaming world').waitFor()
  await screenshot(page, 'chat')
})

test('chat: Stop aborts a run mid-stream', { skip }, async (t) => {
  const gw = await gateway(t)
  gw.upstream.enqueue({
    type: 'custom',
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(chunk('Thinking about it'))
      // Never finishes: only the abort ends this run.
    }
  })
  const page = await signedIn(t, gw, DESKTOP, 'chat')
  await page.getByLabel('Message').fill('take your time')
  await page.getByRole('button', { name: 'Send' }).click()
  await page.locator('.bubble[data-streaming=true]').getByText('Thinking about it').waitFor()
  await page.getByRole('button', { name: 'Stop' }).click()
  await page.locator('.bubble.assistant .note').getByText('Stopped').waitFor()
  await page.getByRole('button', { name: 'Send' }).waitFor()
  const closed = await gw.upstream.lastRequest().closed
  assert.equal(closed.early, true, 'the upstream request was cut off')
})

test('sessions: list, search, preview, rename and delete', { skip }, async (t) => {
  const gw = await gateway(t)
  const page = await signedIn(t, gw, DESKTOP, 'chat')
  await page.getByLabel('Message').fill('first words')
  await page.getByLabel('Message').press('Enter')
  await page.locator('.bubble.assistant').getByText('echo: first words').waitFor()
  await page.getByRole('link', { name: 'Sessions' }).click()
  const item = page.locator('li.session').first()
  await item.waitFor()
  await item.getByRole('button', { name: 'Preview' }).click()
  await item.locator('.preview').getByText('echo: first words').waitFor()
  await item.getByRole('button', { name: 'Rename' }).click()
  await item.getByLabel('New name').fill('Planning')
  await item.getByRole('button', { name: 'Save name' }).click()
  await page.locator('li.session .title').getByText('Planning').waitFor()
  await page.getByLabel('Search sessions').fill('no-such-session')
  await page.getByLabel('Search sessions').press('Enter')
  await page.getByText('No session matches').waitFor()
  await page.getByLabel('Search sessions').fill('')
  await page.getByLabel('Search sessions').press('Enter')
  await page.locator('li.session').first().waitFor()
  await screenshot(page, 'sessions')
  const first = page.locator('li.session').first()
  await first.getByRole('button', { name: 'Reset' }).click()
  await first.getByRole('button', { name: 'Yes, reset' }).click()
  await first.getByRole('button', { name: 'Yes, reset' }).waitFor({ state: 'detached' })
  await page.locator('li.session').first().getByRole('button', { name: 'Preview' }).click()
  await page.locator('li.session .preview').getByText('No messages.').waitFor()
  await page.locator('li.session').first().getByRole('button', { name: 'Delete' }).click()
  await page.getByRole('button', { name: 'Yes, delete' }).click()
  await page.getByText('No sessions yet').waitFor()
})

test('sessions: paging through more than a page, and a model picked for a session', { skip }, async (t) => {
  const gw = await gateway(t)
  const sessions = gw.gw.app.sessions
  for (let i = 0; i < 22; i++) {
    await sessions.append(`agent:main:paged-${String(i).padStart(2, '0')}`, [{ id: `m${i}`, role: 'user', content: [{ type: 'text', text: `note ${i}` }], timestamp: 1_700_000_000_000 + i }])
  }
  const page = await signedIn(t, gw, DESKTOP, 'sessions')
  await page.getByText('1–20 of 22').waitFor()
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByText('21–22 of 22').waitFor()
  assert.equal(await page.locator('li.session').count(), 2)
  await page.getByRole('button', { name: 'Previous' }).click()
  await page.getByText('1–20 of 22').waitFor()

  const { client } = await connectOk(gw.gw.url, { token: TEST_TOKEN })
  t.after(() => { client.close() })
  await page.locator('li.session').first().getByRole('button', { name: 'Open' }).click()
  const key = await page.getByLabel('Session').inputValue()
  assert.equal(key, 'agent:main:paged-21', 'the newest session opens in Chat')
  await page.getByLabel('Model').selectOption('fake/echo')
  await client.next((f) => f.type === 'event' && f.event === 'sessions.changed' && f.payload?.sessionKey === key, UI_WAIT_MS)
  assert.equal((await sessions.get(key))?.model, 'fake/echo')
})

test('logs: the live tail shows new lines and filters by level', { skip }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-ui-logs-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'gateway.log')
  const line = (level: number, msg: string) => `${JSON.stringify({ level, time: Date.now(), msg })}\n`
  await writeFile(file, line(30, 'gateway started') + line(20, 'debug detail'))
  const gw = await gateway(t, { logFile: () => file })
  const page = await signedIn(t, gw, DESKTOP, 'logs')
  const box = page.getByTestId('logs')
  await box.getByText('gateway started').waitFor()
  assert.equal(await box.getByText('debug detail').count(), 0, 'info and above by default')
  await writeFile(file, line(50, 'something broke'), { flag: 'a' })
  await box.getByText('something broke').waitFor()
  await page.getByLabel('Level').selectOption({ label: 'debug and above' })
  await box.getByText('debug detail').waitFor()
  await page.getByLabel('Level').selectOption({ label: 'error and above' })
  await box.getByText('gateway started').waitFor({ state: 'detached' })
  await page.getByRole('button', { name: 'Pause' }).click()
  await page.getByRole('button', { name: 'Resume' }).waitFor()
  await screenshot(page, 'logs')
})

test('without WebCrypto Ed25519 the pure-JS key signs the connect', { skip }, async (t) => {
  const gw = await gateway(t)
  const noEd25519 = `(() => {
    const s = crypto.subtle
    for (const name of ['generateKey', 'importKey', 'sign']) {
      const real = s[name].bind(s)
      s[name] = (alg, ...rest) => ((alg === 'Ed25519' || alg?.name === 'Ed25519') ? Promise.reject(new DOMException('unsupported', 'NotSupportedError')) : real(alg, ...rest))
    }
  })()`
  const { page } = await openPage(t, browser!, DESKTOP, noEd25519)
  await page.goto(`${gw.origin}/#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  const device = JSON.parse(await page.evaluate<string>('localStorage.getItem("openclaw.device.v1") ?? "{}"')) as { deviceId?: string }
  assert.match(device.deviceId ?? '', /^[0-9a-f]{64}$/)
  const presence = await gw.gw.app.presence.list()
  assert.ok(presence.some((p) => p.deviceId === device.deviceId), 'connected as that device')
})

test('every page at phone width (390 px) and desktop width', { skip, timeout: 120_000 }, async (t) => {
  const gw = await gateway(t, { configFile: true })
  for (const viewport of [PHONE, DESKTOP]) {
    const page = await signedIn(t, gw, viewport)
    for (const [route, ready] of [['overview', 'Healthy'], ['chat', 'No messages yet'], ['sessions', 'No sessions yet'], ['config', 'Secrets show as'], ['logs', 'Level']] as const) {
      await page.goto(`${gw.origin}/#/${route}`)
      await page.getByText(ready).first().waitFor({ timeout: UI_WAIT_MS })
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
      assert.ok(overflow <= 0, `${route} at ${viewport.width} px overflows by ${overflow} px`)
      await screenshot(page, `page-${route}`)
    }
  }
  const dark = await signedIn(t, gw, DESKTOP, 'chat')
  await dark.emulateMedia({ colorScheme: 'dark' })
  await dark.getByText('No messages yet').waitFor()
  const background = await dark.evaluate<string>('getComputedStyle(document.body).backgroundColor')
  assert.equal(background, 'rgb(18, 18, 20)', 'dark mode follows prefers-color-scheme')
  await screenshot(dark, 'page-chat-dark')
})
