// The Control UI running a gateway's setup in a real browser: the first-run
// provider form against a fake upstream (then a chat that uses it), editing and
// saving the config (syntax errors before saving, schema errors from the
// server, a stale base hash caught), and a gateway restart mid-session that the
// page rides out without losing the typed message.
import { after, before, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { startFakeUpstream } from './support/fake-upstream.js'
import { build, TEST_TOKEN, type TestGateway } from './support/gateway.js'
import { fakeProviderConfig } from './support/http-gateway.js'
import { baseConfig, freePort, makeHome, spawnGateway, writeConfig } from './support/spawn-gateway.js'
import { waitFor } from './support/wait.js'
import { DESKTOP, haveChromium, launchBrowser, openPage, screenshot, waitForStatus } from './support/browser.js'

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (CHROMIUM_PATH)'
let browser: Browser | undefined

before(async () => { if (skip === false) browser = await launchBrowser() })
after(async () => { await browser?.close() })

async function gatewayWithFile (t: TestContext, config: Record<string, unknown> = {}): Promise<TestGateway> {
  return await build(t, { config, configFile: true })
}

async function signedIn (t: TestContext, origin: string, route = ''): Promise<Page> {
  const { page, errors } = await openPage(t, browser!, DESKTOP)
  t.after(() => { assert.deepEqual(errors, [], 'no uncaught errors in the page') })
  await page.goto(`${origin}/${route}#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  return page
}

test('first run: no model, the provider form adds one, and the next chat message works', { skip }, async (t) => {
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const gw = await gatewayWithFile(t)
  const page = await signedIn(t, `http://127.0.0.1:${gw.port}`)
  const form = page.getByTestId('first-run')
  await form.getByText('No model is configured yet').waitFor()
  await screenshot(page, 'first-run')
  await form.getByLabel('Provider', { exact: true }).selectOption({ label: 'OpenAI-compatible server (Ollama, LM Studio, vLLM…)' })
  await form.getByLabel('Provider name').fill('fake')
  await form.getByLabel('Base URL').fill(upstream.openaiBaseUrl)
  await form.getByLabel('API key').fill('sk-first-run-key')
  await form.getByLabel('Default model').fill('echo')
  await form.getByRole('button', { name: 'Save provider' }).click()
  await form.getByText('Model ready').waitFor()
  const saved = JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  assert.equal(saved.models.providers.fake.apiKey, 'sk-first-run-key')
  assert.deepEqual(saved.agents.defaults.model, { primary: 'fake/echo' })
  assert.equal(saved.gateway.auth.token, TEST_TOKEN, 'the rest of the file is kept')

  await form.getByRole('button', { name: 'Start chatting' }).click()
  await page.getByLabel('Message').fill('hello model')
  await page.getByLabel('Message').press('Enter')
  await page.locator('.bubble.assistant').getByText('echo: hello model').waitFor()
  assert.equal(upstream.lastRequest().headers.authorization, 'Bearer sk-first-run-key')
})

test('config: syntax errors before saving, schema errors from the server, a live save', { skip }, async (t) => {
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const gw = await gatewayWithFile(t, fakeProviderConfig(upstream))
  const page = await signedIn(t, `http://127.0.0.1:${gw.port}`, 'config')
  const editor = page.getByLabel('Config (JSON5)')
  // Shown once the file is loaded into it.
  await editor.waitFor()
  const original = await editor.inputValue()
  assert.match(original, /__OPENCLAW_REDACTED__/)
  assert.doesNotMatch(original, new RegExp(TEST_TOKEN), 'the token is never sent to the page')

  await editor.fill('{ gateway: ')
  await page.getByTestId('config-syntax').waitFor()
  assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true)

  const parsed = JSON.parse(original) as Record<string, any>
  await editor.fill(JSON.stringify({ ...parsed, gateway: { ...parsed.gateway, bogus: 1 } }, null, 2))
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByTestId('config-outcome').getByText('gateway.bogus').first().waitFor()
  assert.match(await readFile(gw.configPath, 'utf8'), /"token": "test-token/, 'nothing written')

  const edited = { ...parsed, gateway: { ...parsed.gateway, http: { endpoints: { chatCompletions: { enabled: false } } } } }
  await editor.fill(JSON.stringify(edited, null, 2))
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByTestId('config-outcome').getByText('applied live').waitFor()
  await screenshot(page, 'config-saved')
  const onDisk = JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  assert.equal(onDisk.gateway.http.endpoints.chatCompletions.enabled, false)
  assert.equal(onDisk.gateway.auth.token, TEST_TOKEN, 'the redacted token kept its stored value')
  assert.equal(onDisk.models.providers.fake.apiKey, 'sk-test')
})

test('config form: schema-driven fields, restart marks, a live save through config.patch', { skip }, async (t) => {
  const gw = await gatewayWithFile(t)
  const page = await signedIn(t, `http://127.0.0.1:${gw.port}`, 'config')
  await page.getByRole('button', { name: 'Form' }).click()
  const port = page.locator('.field', { has: page.getByLabel(/^Port/) })
  await port.locator('.pill', { hasText: 'restart' }).waitFor()
  await page.getByText('Logging', { exact: true }).click()
  await page.getByLabel(/^Log level/).selectOption('debug')
  const token = page.getByLabel(/^Gateway token/)
  assert.equal(await token.getAttribute('placeholder'), 'stored (unchanged)')
  assert.equal(await token.inputValue(), '', 'a secret is never shown')
  await page.getByRole('button', { name: 'Save 1 change' }).click()
  await page.getByTestId('config-outcome').getByText('applied live').waitFor()
  await screenshot(page, 'config-form')
  const onDisk = JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  assert.equal(onDisk.logging.level, 'debug')
  assert.equal(onDisk.gateway.auth.token, TEST_TOKEN)
})

test('config form: lists and maps as rows, bad rows caught before saving, the edit kept across a reload', { skip }, async (t) => {
  const gw = await gatewayWithFile(t)
  const page = await signedIn(t, `http://127.0.0.1:${gw.port}`, 'config')
  await page.getByRole('button', { name: 'Form' }).click()
  const origins = page.locator('fieldset[data-path="gateway.controlUi.allowedOrigins"]')
  await origins.getByRole('button', { name: /^Add item/ }).click()
  await origins.getByRole('textbox').last().fill('https://ops.example.test')
  const agents = page.locator('fieldset[data-path="agents.entries"]')
  await page.locator('details', { has: agents }).locator('summary').click()
  await agents.getByRole('button', { name: /^Add entry/ }).click()
  await agents.getByLabel(/name of entry 1/).fill('Bad Key')
  await agents.getByText('"Bad Key" is not a valid name here').waitFor()
  await agents.getByLabel(/name of entry 1/).fill('helper')
  await agents.getByRole('textbox').last().fill("{ name: 'Helper', bogus: 1 }")
  await agents.getByText('bogus: is not a known setting').waitFor()
  await page.getByTestId('config-form-problems').getByText('Fix 1 problem').waitFor()
  assert.equal(await page.getByRole('button', { name: /^Save 2 changes/ }).isDisabled(), true, 'no save while a row is wrong')
  await screenshot(page, 'config-form-rows')

  // A reload (or a dropped connection) keeps the unsaved rows, errors and all.
  await page.reload()
  await waitForStatus(page, 'Connected')
  await page.getByRole('button', { name: 'Form' }).click()
  await agents.getByText('bogus: is not a known setting').waitFor()
  assert.equal(await origins.getByRole('textbox').last().inputValue(), 'https://ops.example.test')
  await agents.getByRole('textbox').last().fill("{ name: 'Helper' }")
  await page.getByTestId('config-form-problems').waitFor({ state: 'detached' })
  await page.getByRole('button', { name: 'Save 2 changes' }).click()
  await page.getByTestId('config-outcome').getByText('applied live').waitFor()
  let onDisk = JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  assert.deepEqual(onDisk.gateway.controlUi.allowedOrigins, ['https://ops.example.test'])
  assert.deepEqual(onDisk.agents.entries.helper, { name: 'Helper' })

  // Removing a map row deletes that key (a merge patch null), nothing else.
  await page.locator('details', { has: agents }).locator('summary').click()
  await agents.getByRole('button', { name: 'Remove Agents: helper' }).click()
  await page.getByRole('button', { name: 'Save 1 change' }).click()
  const onFile = async () => JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  await waitFor('the helper entry gone from the file', async () => (await onFile()).agents?.entries?.helper === undefined)
  // The first save's banner went when this one started: this one is the second's.
  await page.getByTestId('config-outcome').getByText('applied live').waitFor()
  onDisk = await onFile()
  assert.deepEqual(onDisk.gateway.controlUi.allowedOrigins, ['https://ops.example.test'])
})

test('config: a save based on a stale hash is refused and the edit is kept', { skip }, async (t) => {
  const gw = await gatewayWithFile(t)
  const page = await signedIn(t, `http://127.0.0.1:${gw.port}`, 'config')
  const editor = page.getByLabel('Config (JSON5)')
  // Shown once the file is loaded into it.
  await editor.waitFor()
  const parsed = JSON.parse(await editor.inputValue()) as Record<string, any>
  // Someone edits the file by hand while the page has it open.
  const disk = JSON.parse(await readFile(gw.configPath, 'utf8')) as Record<string, any>
  await writeFile(gw.configPath, JSON.stringify({ ...disk, logging: { level: 'debug' } }, null, 2))
  const mine = JSON.stringify({ ...parsed, logging: { level: 'warn' } }, null, 2)
  await editor.fill(mine)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByTestId('config-outcome').getByText('changed since you loaded it').waitFor()
  assert.equal(await editor.inputValue(), mine, 'the unsaved edit is still there')
  assert.match(await readFile(gw.configPath, 'utf8'), /"level": "debug"/, 'the other edit was not overwritten')
  await page.getByRole('button', { name: 'Load the latest version (discard my edit)' }).click()
  await page.waitForFunction(() => (globalThis as any).document.getElementById('config-raw')?.value.includes('"debug"') === true)
})

test('a gateway restart mid-session: Reconnecting, then Connected, the typed message kept', { skip, timeout: 90_000 }, async (t) => {
  const port = await freePort()
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const home = await makeHome(t, null)
  await writeConfig(home, baseConfig(home, { ...fakeProviderConfig(upstream), gateway: { port, auth: { token: TEST_TOKEN } } }))
  const proc = spawnGateway(home)
  await proc.listening()
  // Every status the indicator shows, recorded in the page: no transition can be missed between polls.
  const record = `new MutationObserver(() => {
    const s = document.querySelector('[data-testid=connection-status]')?.textContent
    const log = (window.__statuses ??= [])
    if (s && log[log.length - 1] !== s) log.push(s)
  }).observe(document, { subtree: true, childList: true, characterData: true })`
  const { page, errors } = await openPage(t, browser!, DESKTOP, record)
  await page.goto(`http://127.0.0.1:${port}/#token=${TEST_TOKEN}`)
  await waitForStatus(page, 'Connected')
  await page.goto(`http://127.0.0.1:${port}/#/chat`)
  await page.getByLabel('Message').fill('a message typed before the restart')
  const restarts = (proc.stdout.match(/listening on/g) ?? []).length
  proc.signal('SIGUSR2')
  await proc.waitFor(new RegExp(`(listening on[\\s\\S]*){${restarts + 1}}`))
  await page.waitForFunction(() => {
    const log: string[] = (globalThis as any).__statuses ?? []
    const i = log.lastIndexOf('Reconnecting')
    return i !== -1 && log.slice(i).includes('Connected')
  })
  await waitForStatus(page, 'Connected')
  assert.equal(await page.getByLabel('Message').inputValue(), 'a message typed before the restart')
  await page.getByLabel('Message').press('Enter')
  await page.locator('.bubble.assistant').getByText('echo: a message typed before the restart').waitFor()
  assert.deepEqual(errors, [])
})
