// A headless Chromium for the Control UI tests (playwright-core drives the system's
// /usr/bin/chromium; .ci/run installs it). One browser per test file, one context per
// test (fresh storage), closed before the gateways it talks to (defer.ts). Page errors are collected so a test can
// assert the app never threw.
import { mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { defer } from './defer.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Every wait on the page: generous, because CI is a busy 2-core machine. */
export const UI_WAIT_MS = 15_000
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }

const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url))

export function haveChromium (): boolean {
  return existsSync(CHROMIUM)
}

/** `extraArgs`: e.g. `--host-resolver-rules=MAP ui.example.test 127.0.0.1` to browse by another name. */
export async function launchBrowser (extraArgs: string[] = []): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', ...extraArgs] })
}

export interface UiPage {
  page: Page
  context: BrowserContext
  /** Uncaught exceptions in the page, in order. */
  errors: string[]
}

export async function openPage (t: TestContext, browser: Browser, viewport = DESKTOP, init?: string): Promise<UiPage> {
  const context = await browser.newContext({ viewport })
  context.setDefaultTimeout(UI_WAIT_MS)
  if (init !== undefined) await context.addInitScript(init)
  defer(t, () => context.close())
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => { errors.push(e.message) })
  return { page, context, errors }
}

/** Waits until the connection indicator reads `label` (Connected, Reconnecting…). */
export async function waitForStatus (page: Page, label: string): Promise<void> {
  await page.getByTestId('connection-status').filter({ hasText: new RegExp(`^${label}$`) }).waitFor({ timeout: UI_WAIT_MS })
}

/** Saves test-output/screenshots/<name>-<width>.png (gitignored). */
export async function screenshot (page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const width = page.viewportSize()?.width ?? 0
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true })
}
