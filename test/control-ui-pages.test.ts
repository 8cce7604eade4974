// The Control UI's status pages and a very long transcript, in headless
// Chromium: Channels (a real Telegram channel against a fake Bot API, and the
// empty state), Hooks (real deliveries to /hooks/wake),
// Plugins (real fixture plugins, one failing), and a 10,000-message session
// that opens at its tail in Chat and loads earlier pages on demand (and a
// 60,000-character message that shows its start until asked).
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { DESKTOP, PHONE, haveChromium, launchBrowser, openPage, screenshot, waitForStatus } from './support/browser.js'
import { TEST_TOKEN } from './support/gateway.js'
import { fixture } from './support/plugins.js'
import { startFakeTelegram } from './support/fake-telegram.js'

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (CHROMIUM_PATH)'
let browser: Browser | undefined

before(async () => { if (skip === false) browser = await launchBrowser() })
after(async () => { await browser?.close() })

async function signedIn (t: TestContext, gw: HttpGateway, route: string, viewport = DESKTOP, init?: string): Promise<Page> {
  const { page, errors } = await openPage(t, browser!, viewport, init)
  t.after(() => { assert.deepEqual(errors, [], 'no uncaught errors in the page') })
  await page.goto(`${gw.origin}/#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  await page.goto(`${gw.origin}/#/${route}`)
  return page
}

/** Both widths, for the reviewer; the page must not scroll sideways at 390 px. */
async function bothWidths (t: TestContext, gw: HttpGateway, route: string, ready: (page: Page) => Promise<void>, name: string): Promise<void> {
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await signedIn(t, gw, route, viewport)
    await ready(page)
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
    assert.ok(overflow <= 0, `${route} at ${viewport.width} px overflows by ${overflow} px`)
    const current = await page.evaluate<boolean>(`(() => {
      const nav = document.querySelector('nav[aria-label="Pages"]').getBoundingClientRect()
      const link = document.querySelector('nav[aria-label="Pages"] [aria-current="page"]').getBoundingClientRect()
      return link.left >= nav.left - 1 && link.right <= nav.right + 1
    })()`)
    assert.ok(current, `${route} at ${viewport.width} px: the current page's link is scrolled into view`)
    await screenshot(page, name)
    // Closed before the gateway is: a page left reconnecting to a closing gateway once held a run's teardown.
    await page.context().close()
  }
}

const now = Date.now()

test('channels: each account of a real Telegram channel with its state and last error', { skip }, async (t) => {
  const tg = await startFakeTelegram()
  t.after(() => tg.close())
  const gw = await startHttpGateway(t, {
    config: () => ({
      channels: {
        telegram: {
          apiRoot: tg.apiRoot,
          pollTimeoutSeconds: 1,
          accounts: { default: { name: 'Support bot', botToken: tg.token }, ops: { botToken: '999:REVOKED-token-value' } }
        }
      }
    })
  })
  await bothWidths(t, gw, 'channels', async (page) => {
    const telegram = page.getByTestId('channel-telegram')
    await telegram.getByRole('heading', { name: 'Telegram' }).waitFor()
    await telegram.getByRole('row', { name: /Support bot/ }).getByText('Connected').waitFor()
    assert.notEqual(await telegram.getByRole('row', { name: /Support bot/ }).getByRole('cell').nth(2).textContent(), '—', 'when it connected')
    const ops = telegram.getByRole('row', { name: /ops/ })
    await ops.getByText('Stopped (error)').waitFor()
    await ops.getByText(/bot token was refused/).waitFor()
  }, 'page-channels')
})

test('channels: an empty state when none is configured', { skip }, async (t) => {
  const empty = await startHttpGateway(t)
  await bothWidths(t, empty, 'channels', async (page) => {
    await page.getByTestId('channels-empty').getByText('No channel is configured').waitFor()
  }, 'page-channels-empty')
})

test('hooks: deliveries and refusals as they happen, and "off" when webhooks are off', { skip }, async (t) => {
  const hookToken = 'hook-token-0123456789'
  const gw = await startHttpGateway(t, { config: () => ({ hooks: { enabled: true, token: hookToken } }) })
  const deliver = async (token: string) => {
    const res = await fetch(`${gw.origin}/hooks/wake`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'deploy finished', mode: 'next-heartbeat' }), signal: AbortSignal.timeout(10_000) })
    await res.body?.cancel()
    return res.status
  }
  assert.equal(await deliver(hookToken), 200)
  assert.equal(await deliver('not-the-hook-token'), 401)
  await bothWidths(t, gw, 'hooks', async (page) => {
    await page.getByTestId('hooks-deliveries').getByText('1', { exact: true }).waitFor()
    await page.getByText('Refused (auth)').waitFor()
    await page.getByTestId('hooks-recent').getByRole('cell', { name: '200' }).first().waitFor()
    await page.getByTestId('hooks-recent').getByText(/wake/).first().waitFor()
  }, 'page-hooks')
  const page = await signedIn(t, gw, 'hooks')
  await page.getByTestId('hooks-deliveries').getByText('1', { exact: true }).waitFor()
  assert.equal(await deliver(hookToken), 200)
  await page.getByRole('button', { name: 'Refresh' }).click()
  await page.getByTestId('hooks-deliveries').getByText('2', { exact: true }).waitFor()

  const off = await startHttpGateway(t)
  const offPage = await signedIn(t, off, 'hooks')
  await offPage.getByTestId('hooks-off').getByText('Webhooks are off').waitFor()
})

test('plugins: active ones with what they add, a failed one with its error', { skip }, async (t) => {
  const gw = await startHttpGateway(t, { config: () => ({ plugins: { load: { paths: [fixture('contrib.mjs'), fixture('throws-at-register.mjs')] } } }) })
  await bothWidths(t, gw, 'plugins', async (page) => {
    const table = page.getByTestId('plugins')
    const contrib = table.getByRole('row', { name: /contrib/ })
    await contrib.getByText('Active', { exact: true }).waitFor()
    await contrib.getByText('1 channel, 1 hook mapping').waitFor()
    const half = table.getByRole('row', { name: /half/ })
    await half.getByText('Failed', { exact: true }).waitFor()
    await half.getByText(/boom at register/).waitFor()
  }, 'page-plugins')
  const none = await startHttpGateway(t)
  const page = await signedIn(t, none, 'plugins')
  await page.getByTestId('plugins-empty').getByText('No plugins').waitFor()
})

test('a 10,000-message session opens at its tail in Chat; earlier pages load on demand', { skip, timeout: 120_000 }, async (t) => {
  const gw = await startHttpGateway(t)
  const key = 'agent:main:long-haul'
  const total = 10_000
  for (let start = 0; start < total; start += 1000) {
    const batch = Array.from({ length: 1000 }, (_, j) => {
      const i = start + j
      return { id: `m${i}`, role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant', content: [{ type: 'text', text: `message ${i}` }], timestamp: now - (total - i) * 1000 }
    })
    await gw.gw.app.sessions.append(key, batch)
  }
  // And one very long message last: it shows its start until asked for the rest.
  const long = `${'lorem ipsum '.repeat(5000)}THE END`
  await gw.gw.app.sessions.append(key, [{ id: 'm-long', role: 'assistant', content: [{ type: 'text', text: long }], timestamp: now }])
  const page = await signedIn(t, gw, 'chat', DESKTOP, `sessionStorage.setItem('openclaw.chat.session', ${JSON.stringify(key)})`)
  const log = page.getByTestId('chat-log')
  await log.getByText('message 9999', { exact: true }).waitFor()
  await page.getByTestId('chat-earlier').getByText('Showing the newest 100 of 10,001 messages.').waitFor()
  assert.equal(await log.getByText(/THE END/).count(), 0, 'the long message is clipped')
  await log.getByRole('button', { name: `Show the whole message (${long.length.toLocaleString('en')} characters)` }).click()
  await log.getByText(/THE END/).waitFor()
  assert.equal(await log.locator('.bubble').count(), 100, 'only the tail is rendered')
  await screenshot(page, 'chat-long')

  await page.getByRole('button', { name: 'Load earlier messages' }).click()
  await page.getByTestId('chat-earlier').getByText('Showing the newest 300 of 10,001 messages.').waitFor()
  assert.equal(await log.locator('.bubble').count(), 300)
  await log.getByText('message 9701', { exact: true }).waitFor({ state: 'attached' })
  // The view stays where the reader was, not thrown back to the bottom.
  const fromBottom = await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)
  assert.ok(fromBottom > 0, 'still reading older messages after the load')

  // The tab is alive: a message sent now gets its reply at the bottom.
  await page.getByLabel('Message').fill('still there?')
  await page.getByLabel('Message').press('Enter')
  await log.locator('.bubble.assistant').getByText('echo: still there?').waitFor()
})
