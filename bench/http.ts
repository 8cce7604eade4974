// bench/http: what the OpenAI surface costs on top of a bare proxy.
//   node dist/bench/http.js [--seconds=10] [--connections=32] [--profile]
// One run, three targets behind the same lean echo upstream, each in its own
// process (loopback only): the upstream direct, a bare node:http + undici
// pass-through (bench/passthrough-proxy.ts) and the gateway with a stateless
// chat completion (no `user`). For each, non-streamed and streamed:
// - autocannon for --seconds: req/s, p50/p99 under load, ratio vs the bare proxy (target >= 50 %),
//   and the serving process's CPU per request (user + system from /proc, Linux; steadier than req/s
//   on a shared machine, since it does not depend on what else gets the cores);
// - sequential requests (one at a time): p50 latency and time to first body
//   byte, whose difference to the bare proxy is the added latency (target < 1 ms)
//   and the streaming TTFB overhead (target < 1 ms).
// --profile runs the gateway under --cpu-prof (profiles in .tmp/prof).
import { fork, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { BENCH_TOKEN } from './support/token.js'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback

// ---------- child roles ----------

async function runRole (role: string): Promise<void> {
  const upstream = arg('upstream', '')
  let url: string
  let close: () => Promise<void>
  if (role === 'upstream') {
    const { startEchoUpstream } = await import('./support/echo-upstream.js')
    ;({ url, close } = await startEchoUpstream())
  } else if (role === 'proxy') {
    const { startPassthroughProxy } = await import('./passthrough-proxy.js')
    ;({ url, close } = await startPassthroughProxy(upstream))
  } else {
    ;({ url, close } = await startGatewayRole(upstream))
  }
  process.send?.({ url })
  process.on('message', (m) => { if (m === 'stop') void close().then(() => process.exit(0)) })
}

async function startGatewayRole (upstream: string): Promise<{ url: string, close: () => Promise<void> }> {
  const { startBenchGateway } = await import('./support/gateway.js')
  return await startBenchGateway({
    models: { providers: { fake: { baseUrl: `${upstream}/v1`, api: 'openai-completions', apiKey: 'sk-bench', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo', maxConcurrent: 1000 } }
  })
}

// ---------- measurement ----------

interface Target { name: string, pid: number | undefined, url: string, path: string, headers: Record<string, string>, body: (stream: boolean) => string }
interface Row { target: string, stream: boolean, rps: number, p50: number, p99: number, errors: number, cpuUs: number | undefined, seqP50: number, ttfbP50: number }

/** User + system CPU seconds of a process so far, or undefined where /proc is not there. */
async function cpuSeconds (pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // clock ticks; 100 per second on Linux
  } catch {
    return undefined
  }
}

interface AutocannonResult { requests: { average: number }, latency: { p50: number, p99: number }, non2xx: number, errors: number, timeouts: number }
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

function spawnRole (role: string, extra: string[] = [], execArgv: string[] = []): Promise<{ child: ChildProcess, url: string }> {
  const child = fork(fileURLToPath(import.meta.url), [`--role=${role}`, ...extra], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${role} did not start`)) }, 20_000)
    child.once('message', (m) => { clearTimeout(timer); resolve({ child, url: (m as { url: string }).url }) })
    child.once('exit', (code) => { reject(new Error(`${role} exited with ${String(code)}`)) })
  })
}

const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]! }

/** One request at a time: total latency and time to the first body byte. */
async function sequential (t: Target, stream: boolean, n: number): Promise<{ p50: number, ttfb: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const body = t.body(stream)
  const once = () => new Promise<{ total: number, first: number }>((resolve, reject) => {
    const t0 = performance.now()
    let first = 0
    const req = http.request(`${t.url}${t.path}`, { method: 'POST', agent, headers: { ...t.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${t.name}: status ${String(res.statusCode)}`))
      res.on('data', () => { if (first === 0) first = performance.now() - t0 })
      res.on('end', () => { resolve({ total: performance.now() - t0, first }) })
    })
    req.on('error', reject)
    req.end(body)
  })
  for (let i = 0; i < 200; i++) await once()
  const totals: number[] = []
  const firsts: number[] = []
  for (let i = 0; i < n; i++) { const r = await once(); totals.push(r.total); firsts.push(r.first) }
  agent.destroy()
  return { p50: percentile(totals, 0.5), ttfb: percentile(firsts, 0.5) }
}

async function measure (t: Target, stream: boolean, seconds: number, connections: number): Promise<Row> {
  const opts = { url: `${t.url}${t.path}`, method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: t.body(stream), connections }
  await autocannon({ ...opts, duration: 2 })
  const cpu0 = await cpuSeconds(t.pid)
  const r = await autocannon({ ...opts, duration: seconds })
  const cpu1 = await cpuSeconds(t.pid)
  const cpuUs = cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) * 1e6 / (r.requests.average * seconds)
  const seq = await sequential(t, stream, 1000)
  return { target: t.name, stream, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts, cpuUs, seqP50: seq.p50, ttfbP50: seq.ttfb }
}

async function main (): Promise<void> {
  const seconds = Number(arg('seconds', '10'))
  const connections = Number(arg('connections', '32'))
  const profile = process.argv.includes('--profile')
  const upstream = await spawnRole('upstream')
  const proxy = await spawnRole('proxy', [`--upstream=${upstream.url}`])
  const gateway = await spawnRole('gateway', [`--upstream=${upstream.url}`], profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp/prof'] : [])
  const children = [gateway.child, proxy.child, upstream.child]
  const upstreamBody = (stream: boolean) => JSON.stringify({ model: 'echo', stream, messages: [{ role: 'user', content: 'hi' }] })
  const targets: Target[] = [
    { name: 'upstream direct', pid: upstream.child.pid, url: upstream.url, path: '/v1/chat/completions', headers: {}, body: upstreamBody },
    { name: 'bare pass-through', pid: proxy.child.pid, url: proxy.url, path: '/v1/chat/completions', headers: {}, body: upstreamBody },
    {
      name: 'gateway (stateless)',
      pid: gateway.child.pid,
      url: gateway.url,
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      body: (stream) => JSON.stringify({ model: 'openclaw', stream, messages: [{ role: 'user', content: 'hi' }] })
    }
  ]
  try {
    const rows: Row[] = []
    for (const stream of [false, true]) for (const t of targets) rows.push(await measure(t, stream, seconds, connections))
    report(rows, { seconds, connections })
  } finally {
    for (const c of children) c.send('stop')
    await Promise.all(children.map((c) => new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else c.once('exit', resolve) })))
  }
}

function report (rows: Row[], o: { seconds: number, connections: number }): void {
  const f = (n: number, d = 2) => n.toFixed(d)
  console.log(`\nPOST /v1/chat/completions — ${o.connections} connections, ${o.seconds} s per case, loopback, ${os.cpus().length} CPUs`)
  console.log('case                              req/s    p50 ms   p99 ms  vs bare  errors  cpu µs/req  seq p50 ms  ttfb p50 ms')
  for (const r of rows) {
    const bare = rows.find((x) => x.stream === r.stream && x.target === 'bare pass-through')!
    const label = `${r.target}${r.stream ? ' [stream]' : ''}`
    console.log(`${label.padEnd(30)}${f(r.rps, 0).padStart(9)}${f(r.p50).padStart(10)}${f(r.p99).padStart(9)}${`${f(100 * r.rps / bare.rps, 0)} %`.padStart(9)}${String(r.errors).padStart(8)}${(r.cpuUs === undefined ? '-' : f(r.cpuUs, 0)).padStart(12)}${f(r.seqP50, 3).padStart(12)}${f(r.ttfbP50, 3).padStart(13)}`)
  }
  for (const stream of [false, true]) {
    const gw = rows.find((x) => x.stream === stream && x.target.startsWith('gateway'))!
    const bare = rows.find((x) => x.stream === stream && x.target === 'bare pass-through')!
    const ratio = gw.rps / bare.rps
    const added = gw.seqP50 - bare.seqP50
    const label = stream ? 'streaming' : 'non-streaming'
    console.log(`${label}: throughput ${f(100 * ratio, 0)} % of bare (target >= 50 %: ${ratio >= 0.5 ? 'met' : 'NOT met'}); added p50 latency ${f(added, 3)} ms (target < 1 ms: ${added < 1 ? 'met' : 'NOT met'})`)
    if (stream) {
      const ttfb = gw.ttfbP50 - bare.ttfbP50
      console.log(`streaming time-to-first-byte overhead ${f(ttfb, 3)} ms (target < 1 ms: ${ttfb < 1 ? 'met' : 'NOT met'})`)
    }
  }
}

const role = arg('role', '')
if (role !== '') await runRole(role)
else await main()
