// The Control UI's connection in headless Chromium beyond the token link:
// a gateway in password mode (the login asks for the password, which is never
// stored) and a UI served under gateway.controlUi.basePath (its WebSocket
// connects at that path, as OpenClaw's UI does).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser } from 'playwright-core'
import { startHttpGateway as gateway } from './support/http-gateway.js'
import { DESKTOP, PHONE, haveChromium, launchBrowser, openPage, screenshot, waitForStatus } from './support/browser.js'
import { TEST_TOKEN } from './support/gateway.js'

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (CHROMIUM_PATH)'
let browser: Browser | undefined

before(async () => { if (skip === false) browser = await launchBrowser() })
after(async () => { await browser?.close() })

test('gateway.auth.mode password: the login asks for the password, a wrong one says so, the right one connects', { skip }, async (t) => {
  const password = 'correct horse battery staple'
  const gw = await gateway(t, { config: () => ({ gateway: { auth: { mode: 'password', password } } }) })
  const { page } = await openPage(t, browser!, PHONE)
  await page.goto(`${gw.origin}/`)
  await page.getByTestId('login-error').getByText('protected by a password').waitFor()
  await screenshot(page, 'login-password')
  await page.getByLabel('Gateway password').fill('not it')
  await page.getByLabel('Gateway password').press('Enter')
  await page.getByTestId('login-error').getByText('did not accept this password').waitFor()
  await page.getByLabel('Gateway password').fill(password)
  await page.getByRole('button', { name: 'Connect' }).click()
  await waitForStatus(page, 'Connected')
  const stored = await page.evaluate('JSON.stringify([Object.values(sessionStorage), Object.values(localStorage)])')
  assert.ok(!String(stored).includes(password), 'the password is never stored')
})

test('at gateway.controlUi.basePath the page connects over the WebSocket at that path', { skip }, async (t) => {
  const gw = await gateway(t, { config: () => ({ gateway: { controlUi: { basePath: '/openclaw/' } } }) })
  const { page, errors } = await openPage(t, browser!, DESKTOP)
  const sockets: string[] = []
  page.on('websocket', (ws) => { sockets.push(ws.url()) })
  await page.goto(`${gw.origin}/openclaw/#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  assert.deepEqual(sockets, [`ws://127.0.0.1:${gw.gw.port}/openclaw/`])
  // A deep link under the base path connects the same way.
  await page.goto(`${gw.origin}/openclaw/chat`)
  await waitForStatus(page, 'Connected')
  await page.getByLabel('Message').waitFor()
  assert.equal(sockets.at(-1), `ws://127.0.0.1:${gw.gw.port}/openclaw/`)
  assert.deepEqual(errors, [])
})
