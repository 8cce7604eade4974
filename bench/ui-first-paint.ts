// bench/ui-first-paint: how fast the Control UI paints in a real browser.
//   node dist/bench/ui-first-paint.js [--loads=15] [--chromium=/usr/bin/chromium]
// The gateway (a child process, loopback) serves the built UI from a temp copy of ui/dist that
// also holds a bare static page (assets/baseline.html: one paragraph, no CSS or script): the
// baseline, served by the same gateway and the same @fastify/static route. Headless Chromium
// loads each page cold (a fresh context: empty cache) in alternating order and reads
// first-contentful-paint; for the UI also the app shell (navigation rendered) and Connected
// (the WebSocket handshake done). Prints medians against the 300 ms target and the baseline.
import { fork } from 'node:child_process'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { BENCH_TOKEN } from './support/token.js'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const BUILT = fileURLToPath(new URL('../../ui/dist/', import.meta.url))
const TARGET_FCP_MS = 300
const BASELINE_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><p>Baseline page.</p></body></html>'

interface Load { fcp: number, shell?: number, connected?: number }

async function gatewayRole (root: string): Promise<void> {
  const { startBenchGateway } = await import('./support/gateway.js')
  const gateway = await startBenchGateway({ gateway: { controlUi: { root } } })
  process.send?.({ url: gateway.url })
  process.on('message', (m) => { if (m === 'stop') void gateway.close().then(() => process.exit(0)) })
}

/** One cold load: a fresh context, so nothing is cached. */
async function load (browser: Browser, url: string, app: boolean): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  try {
    const page = await context.newPage()
    await page.goto(url, { waitUntil: 'load' })
    let shell: number | undefined
    let connected: number | undefined
    if (app) {
      // The app's own User Timing marks (ui/src/main.tsx, app.tsx): no polling delay in the figure.
      await page.waitForFunction(() => performance.getEntriesByName('openclaw:connected').length > 0, undefined, { timeout: 15_000 })
      shell = await page.evaluate(() => performance.getEntriesByName('openclaw:shell')[0]!.startTime)
      connected = await page.evaluate(() => performance.getEntriesByName('openclaw:connected')[0]!.startTime)
    }
    // FCP is reported shortly after the paint; wait for the entry rather than guess.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, { timeout: 15_000 })
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]!.startTime)
    return { fcp, ...(shell !== undefined ? { shell } : {}), ...(connected !== undefined ? { connected } : {}) }
  } finally {
    await context.close()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!

async function main (): Promise<void> {
  const loads = Number(arg('loads', '15'))
  const executablePath = arg('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')
  const root = await mkdtemp(path.join(os.tmpdir(), 'ocgw-bench-ui-'))
  await cp(BUILT, root, { recursive: true })
  await writeFile(path.join(root, 'assets', 'baseline.html'), BASELINE_HTML)
  const child = fork(fileURLToPath(import.meta.url), ['--role=gateway', `--root=${root}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => { resolve((m as { url: string }).url) })
      child.once('exit', (code) => { reject(new Error(`gateway exited with ${String(code)}`)) })
    })
    const ui: Load[] = []
    const baseline: Load[] = []
    // One of each first, unmeasured: Chromium and the gateway warm up.
    await load(browser, `${base}/assets/baseline.html`, false)
    await load(browser, `${base}/#token=${BENCH_TOKEN}`, true)
    for (let i = 0; i < loads; i++) {
      const order = i % 2 === 0 ? ['ui', 'baseline'] : ['baseline', 'ui']
      for (const which of order) {
        if (which === 'ui') ui.push(await load(browser, `${base}/#token=${BENCH_TOKEN}`, true))
        else baseline.push(await load(browser, `${base}/assets/baseline.html`, false))
      }
      process.stderr.write(`load ${i + 1}/${loads}: ui fcp ${ui.at(-1)!.fcp.toFixed(0)} ms, baseline fcp ${baseline.at(-1)!.fcp.toFixed(0)} ms\n`)
    }
    report(ui, baseline, loads)
  } finally {
    await browser.close()
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(root, { recursive: true, force: true })
  }
}

function report (ui: Load[], baseline: Load[], loads: number): void {
  const fmt = (n: number) => n.toFixed(0).padStart(8)
  const uiFcp = ui.map((l) => l.fcp)
  const baseFcp = baseline.map((l) => l.fcp)
  console.log(`\nui-first-paint bench: ${loads} cold loads each, node ${process.version}, ${os.cpus().length} CPUs, load avg ${os.loadavg()[0]!.toFixed(2)}`)
  console.log(`${'metric (ms from navigation)'.padEnd(36)}${'p50'.padStart(8)}${'p90'.padStart(8)}  vs baseline p50, target`)
  const verdict = median(uiFcp) < TARGET_FCP_MS ? 'ok' : 'MISSED'
  console.log(`${'control ui first-contentful-paint'.padEnd(36)}${fmt(median(uiFcp))}${fmt(p90(uiFcp))}  ${(median(uiFcp) / median(baseFcp)).toFixed(2)}x, < ${TARGET_FCP_MS} ms ${verdict}`)
  console.log(`${'baseline page first-contentful-paint'.padEnd(36)}${fmt(median(baseFcp))}${fmt(p90(baseFcp))}  1.00x`)
  const shell = ui.map((l) => l.shell!)
  const connected = ui.map((l) => l.connected!)
  console.log(`${'control ui app shell rendered'.padEnd(36)}${fmt(median(shell))}${fmt(p90(shell))}`)
  console.log(`${'control ui Connected (hello-ok)'.padEnd(36)}${fmt(median(connected))}${fmt(p90(connected))}`)
  console.log('baseline = a bare HTML page (no CSS, no script) from the same gateway and route; every load is cold (empty cache)')
}

if (arg('role', 'main') === 'gateway') await gatewayRole(arg('root', ''))
else await main()
