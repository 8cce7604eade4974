// Start-up benchmark: `node dist/bench/startup.js [N] [--cli <path to an openclaw entry>]`.
// (`--cli` points at another build, to compare two versions against the same baseline.)
//
// Spawns the built gateway N times (fresh temp state dir, minimal config, a
// free 127.0.0.1 port) next to a bare `node:http` server spawned the same way
// (`node <file.mjs> <port>`), and reports, for both, the time from spawn() to
// the first `200` on /healthz and the resident set size after 3 s idle.
//
// "Listening" is measured by polling /healthz every 2 ms, not by reading the
// "listening on" stdout line: the poll is what a client or supervisor sees
// (socket accepting *and* the route answering). The stdout line time is shown
// too, for comparison; it is at most a few ms earlier.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const DEFAULT_CLI = fileURLToPath(new URL('../openclaw.mjs', import.meta.url))
const IDLE_MS = 3_000
const POLL_MS = 2
const START_TIMEOUT_MS = 20_000
const TARGET_LISTEN_MS = 300
const TARGET_RSS_MB = 80

const BASELINE = `import http from 'node:http'
const port = Number(process.argv[2])
http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}') })
  .listen(port, '127.0.0.1', () => { process.stdout.write('listening on http://127.0.0.1:' + port + '\\n') })
`

interface Sample { httpMs: number, lineMs: number, cpuMs: number, rssMb: number }

interface Started { child: ChildProcess, spawnedAt: number, httpMs: number, lineMs: number, cpuMs: number }

async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

function get200 (port: number, urlPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => { resolve(false) })
    req.setTimeout(1_000, () => { req.destroy() })
  })
}

/** Spawns `node <args>` and resolves once `urlPath` answers 200. */
async function start (args: string[], env: Record<string, string>, port: number, urlPath: string): Promise<Started> {
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let lineMs = Number.NaN
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    output += d
    if (Number.isNaN(lineMs) && /listening on /.test(output)) lineMs = performance.now() - spawnedAt
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { output += d })
  let exited = false
  child.once('exit', () => { exited = true })
  while (!(await get200(port, urlPath))) {
    if (exited) throw new Error(`process exited before listening:\n${output}`)
    if (performance.now() - spawnedAt > START_TIMEOUT_MS) { child.kill('SIGKILL'); throw new Error(`not listening after ${START_TIMEOUT_MS} ms:\n${output}`) }
    await sleep(POLL_MS)
  }
  const httpMs = performance.now() - spawnedAt
  return { child, spawnedAt, httpMs, lineMs, cpuMs: await cpuMs(child.pid!) }
}

/** user + system CPU time so far (10 ms ticks): steadier than wall time on a busy machine. */
async function cpuMs (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10 // utime, stime (fields 14, 15), CLK_TCK = 100
}

async function rssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) / 1024
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const done = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 5_000)
  await done
  clearTimeout(timer)
}

async function startGateway (dir: string, cli: string): Promise<Started> {
  const stateDir = path.join(dir, 'state')
  await rm(stateDir, { recursive: true, force: true })
  await mkdir(stateDir, { recursive: true })
  await writeFile(path.join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, logging: { file: path.join(dir, 'gateway.log') } }))
  const env = { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: dir, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: '1' }
  const port = await freePort()
  return await start([cli, 'gateway', '--port', String(port)], env, port, '/healthz')
}

async function startBaseline (dir: string, script: string): Promise<Started> {
  const port = await freePort()
  return await start([script, String(port)], { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: dir }, port, '/')
}

/** Waits until `s` has been up for IDLE_MS, then reads its RSS. */
async function idleRss (s: Started): Promise<number> {
  const wait = s.spawnedAt + s.httpMs + IDLE_MS - performance.now()
  if (wait > 0) await sleep(wait)
  return await rssMb(s.child.pid!)
}

function pct (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const at = args.indexOf('--cli')
  const cli = at >= 0 ? path.resolve(args.splice(at, 2)[1] ?? '') : DEFAULT_CLI
  const n = Number(args[0] ?? 10)
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: node dist/bench/startup.js [N ≥ 1] [--cli path/to/openclaw.mjs]')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-bench-'))
  const script = path.join(dir, 'baseline.mjs')
  await writeFile(script, BASELINE)
  const gateway: Sample[] = []
  const baseline: Sample[] = []
  const live: ChildProcess[] = []
  try {
    for (let i = 0; i < n; i++) {
      // Start one after the other (never two start-ups at once), alternating who goes first;
      // the idle 3 s overlap, which does not disturb either RSS.
      const order = i % 2 === 0 ? ['gateway', 'baseline'] as const : ['baseline', 'gateway'] as const
      const runs: Partial<Record<'gateway' | 'baseline', Started>> = {}
      for (const which of order) {
        runs[which] = which === 'gateway' ? await startGateway(dir, cli) : await startBaseline(dir, script)
        live.push(runs[which]!.child)
      }
      for (const which of order) {
        const s = runs[which]!
        const sample = { httpMs: s.httpMs, lineMs: s.lineMs, cpuMs: s.cpuMs, rssMb: await idleRss(s) }
        ;(which === 'gateway' ? gateway : baseline).push(sample)
      }
      await Promise.all(order.map(async (w) => { await stop(runs[w]!.child) }))
      process.stderr.write(`run ${i + 1}/${n}: gateway ${gateway.at(-1)!.httpMs.toFixed(0)} ms ${gateway.at(-1)!.rssMb.toFixed(1)} MB; baseline ${baseline.at(-1)!.httpMs.toFixed(0)} ms ${baseline.at(-1)!.rssMb.toFixed(1)} MB\n`)
    }
  } finally {
    await Promise.all(live.map(stop))
    await rm(dir, { recursive: true, force: true })
  }
  report(n, cli, gateway, baseline)
}

function report (n: number, cli: string, gateway: Sample[], baseline: Sample[]): void {
  const rows: Array<[string, (s: Sample) => number, number | undefined, string]> = [
    ['spawn → /healthz 200 (ms)', (s) => s.httpMs, TARGET_LISTEN_MS, 'ms'],
    ['spawn → "listening on" line (ms)', (s) => s.lineMs, undefined, 'ms'],
    ['CPU time until /healthz 200 (ms)', (s) => s.cpuMs, undefined, 'ms'],
    ['idle RSS after 3 s (MB)', (s) => s.rssMb, TARGET_RSS_MB, 'MB']
  ]
  const fmt = (v: number) => v.toFixed(1).padStart(8)
  console.log(`\nstartup bench: N=${n}, ${path.relative(process.cwd(), cli)}, node ${process.version}, ${os.cpus().length} CPUs, load avg ${os.loadavg()[0]!.toFixed(2)}`)
  console.log(`${'metric'.padEnd(34)}${'gw p50'.padStart(8)}${'gw p90'.padStart(8)}${'base p50'.padStart(10)}${'base p90'.padStart(10)}${'ratio'.padStart(8)}  target`)
  for (const [name, pick, target, unit] of rows) {
    const g = gateway.map(pick)
    const b = baseline.map(pick)
    const g50 = pct(g, 0.5)
    const verdict = target === undefined ? '' : `< ${target} ${unit} ${g50 < target ? 'ok' : 'MISSED'}`
    console.log(`${name.padEnd(34)}${fmt(g50)}${fmt(pct(g, 0.9))}${fmt(pct(b, 0.5)).padStart(10)}${fmt(pct(b, 0.9)).padStart(10)}${(g50 / pct(b, 0.5)).toFixed(2).padStart(7)}x  ${verdict}`)
  }
  console.log('ratio = gateway median / bare node:http median, measured in the same run')
}

await main()
