// bench/http: what the OpenAI surface costs on top of a bare proxy.
//   node dist/bench/http.js [--seconds=15] [--rounds=5] [--connections=32] [--profile]
// One run, four targets behind the same lean echo upstream, each in its own
// process (loopback only): the upstream direct, a bare node:http + undici
// pass-through (bench/passthrough-proxy.ts) and the gateway with a stateless
// chat completion (no `user`), with an empty agent workspace (the verdicts)
// and with 16 KB of workspace bootstrap files (AGENTS.md, SOUL.md, …: what a
// real agent's system prompt carries). For each, non-streamed and streamed:
// - autocannon for --seconds, split into --rounds that alternate between the
//   targets (every other round in reverse order): req/s, p50/p99 under load,
//   ratio vs the bare proxy (the median of the rounds' ratios; target >= 50 %),
//   and the serving process's CPU per request (user + system from /proc, Linux; steadier than req/s
//   on a shared machine, since it does not depend on what else gets the cores);
// - sequential requests (one at a time): p50 latency and time to first body
//   byte, whose difference to the bare proxy is the added latency (target < 1 ms)
//   and the streaming TTFB overhead (target < 1 ms).
// --profile runs the gateway under --cpu-prof (profiles in .tmp/prof).
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { autocannon, cpuSeconds, mean, median, percentile, spawnRole, stopChildren } from './support/load.js'
import { BENCH_TOKEN } from './support/token.js'

const SCRIPT = fileURLToPath(import.meta.url)

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
    ;({ url, close } = await startGatewayRole(upstream, Number(arg('workspace-kb', '0'))))
  }
  process.send?.({ url })
  process.on('message', (m) => { if (m === 'stop') void close().then(() => process.exit(0)) })
}

async function startGatewayRole (upstream: string, workspaceKb: number): Promise<{ url: string, close: () => Promise<void> }> {
  const { echoAgentConfig, startBenchGateway } = await import('./support/gateway.js')
  const workspace = workspaceKb > 0 ? await bootstrapWorkspace(workspaceKb) : undefined
  const gateway = await startBenchGateway(echoAgentConfig(upstream, workspace !== undefined ? { workspace } : {}))
  return {
    url: gateway.url,
    close: async () => {
      await gateway.close()
      if (workspace !== undefined) await rm(workspace, { recursive: true, force: true })
    }
  }
}

/** A workspace whose bootstrap files hold about `kb` KB of Markdown, split as real ones are. */
async function bootstrapWorkspace (kb: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-bench-ws-'))
  const rule = (i: number) => `- Rule ${i}: read the "relevant" files before you change them, keep replies short, and say what you could not do — never guess.\n`
  const file = (title: string, bytes: number) => {
    let text = `# ${title}\n\n`
    for (let i = 1; Buffer.byteLength(text) < bytes; i++) text += i % 8 === 0 ? `\n## Part ${i / 8}\n\n${rule(i)}` : rule(i)
    return text
  }
  const split: Array<[string, number]> = [['AGENTS.md', 0.6], ['SOUL.md', 0.2], ['TOOLS.md', 0.1], ['USER.md', 0.1]]
  for (const [name, share] of split) await writeFile(path.join(dir, name), file(name.replace('.md', ''), kb * 1024 * share))
  return dir
}

// ---------- measurement ----------

interface Target { name: string, pid: number | undefined, url: string, path: string, headers: Record<string, string>, body: (stream: boolean) => string }
interface Row { target: string, stream: boolean, rps: number, ratio: number, ratios: number[], p50: number, p99: number, errors: number, cpuUs: number | undefined, seqP50: number, ttfbP50: number }

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

interface Load { rps: number[], p50: number[], p99: number[], errors: number, cpuSeconds: number | undefined, requests: number }

/** One burst of load on one target; adds to its running totals. */
async function burst (t: Target, stream: boolean, seconds: number, connections: number, into: Load): Promise<void> {
  const opts = { url: `${t.url}${t.path}`, method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: t.body(stream), connections }
  const cpu0 = await cpuSeconds(t.pid)
  const r = await autocannon({ ...opts, duration: seconds })
  const cpu1 = await cpuSeconds(t.pid)
  into.rps.push(r.requests.average)
  into.p50.push(r.latency.p50)
  into.p99.push(r.latency.p99)
  into.errors += r.non2xx + r.errors + r.timeouts
  into.requests += r.requests.average * seconds
  into.cpuSeconds = cpu0 === undefined || cpu1 === undefined || into.cpuSeconds === undefined ? undefined : into.cpuSeconds + cpu1 - cpu0
}

/**
 * The targets of one mode under load in alternating rounds (each target
 * seconds/rounds per round): a burst of noise from the rest of the machine
 * then hits every target about equally, instead of deciding a ratio of two
 * runs ten seconds apart. Each round gives a ratio to the bare proxy; the
 * verdict is their median.
 */
async function measureMode (targets: Target[], stream: boolean, o: { seconds: number, rounds: number, connections: number }): Promise<Row[]> {
  const loads = targets.map((): Load => ({ rps: [], p50: [], p99: [], errors: 0, cpuSeconds: 0, requests: 0 }))
  for (const t of targets) await autocannon({ url: `${t.url}${t.path}`, method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: t.body(stream), connections: o.connections, duration: 2 })
  // Every other round runs the targets in reverse, so none always follows the
  // same neighbour (the upstream direct leaves the upstream process with the
  // most garbage to collect) or always comes first after the warm-up.
  for (let round = 0; round < o.rounds; round++) {
    const order = [...targets.keys()]
    if (round % 2 === 1) order.reverse()
    for (const i of order) await burst(targets[i]!, stream, o.seconds / o.rounds, o.connections, loads[i]!)
  }
  const bare = loads[targets.findIndex((t) => t.name === 'bare pass-through')]!
  const rows: Row[] = []
  for (const [i, t] of targets.entries()) {
    const load = loads[i]!
    const seq = await sequential(t, stream, 1000)
    const ratios = load.rps.map((rps, round) => rps / bare.rps[round]!)
    rows.push({
      target: t.name,
      stream,
      rps: mean(load.rps),
      ratio: median(ratios),
      ratios,
      p50: percentile(load.p50, 0.5),
      p99: Math.max(...load.p99),
      errors: load.errors,
      cpuUs: load.cpuSeconds === undefined ? undefined : load.cpuSeconds * 1e6 / load.requests,
      seqP50: seq.p50,
      ttfbP50: seq.ttfb
    })
  }
  return rows
}

async function main (): Promise<void> {
  const seconds = Number(arg('seconds', '15'))
  const rounds = Number(arg('rounds', '5'))
  const connections = Number(arg('connections', '32'))
  const profile = process.argv.includes('--profile')
  const upstream = await spawnRole(SCRIPT, 'upstream')
  const proxy = await spawnRole(SCRIPT, 'proxy', [`--upstream=${upstream.url}`])
  const gateway = await spawnRole(SCRIPT, 'gateway', [`--upstream=${upstream.url}`], profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp/prof'] : [])
  const withWorkspace = await spawnRole(SCRIPT, 'gateway', [`--upstream=${upstream.url}`, `--workspace-kb=${WORKSPACE_KB}`])
  const children = [gateway.child, withWorkspace.child, proxy.child, upstream.child]
  const upstreamBody = (stream: boolean) => JSON.stringify({ model: 'echo', stream, messages: [{ role: 'user', content: 'hi' }] })
  const gatewayTarget = (name: string, g: { child: ChildProcess, url: string }, route = ROUTES.chat): Target => ({
    name,
    pid: g.child.pid,
    url: g.url,
    path: route.path,
    headers: { authorization: `Bearer ${BENCH_TOKEN}` },
    body: route.body
  })
  const targets: Target[] = [
    { name: 'upstream direct', pid: upstream.child.pid, url: upstream.url, path: '/v1/chat/completions', headers: {}, body: upstreamBody },
    { name: 'bare pass-through', pid: proxy.child.pid, url: proxy.url, path: '/v1/chat/completions', headers: {}, body: upstreamBody },
    gatewayTarget(STATELESS, gateway),
    // Next to the chat row, so that each of their rounds is measured a burst or two apart.
    gatewayTarget(RESPONSES, gateway, ROUTES.responses),
    gatewayTarget(UNSTORED, gateway, ROUTES.unstored),
    gatewayTarget(MESSAGES, gateway, ROUTES.messages),
    gatewayTarget(WITH_WORKSPACE, withWorkspace)
  ]
  try {
    const rows: Row[] = []
    for (const stream of [false, true]) rows.push(...await measureMode(targets, stream, { seconds, rounds, connections }))
    report(rows, { seconds, rounds, connections })
  } finally {
    await stopChildren(children)
  }
}

/** The same one-line question on each API: chat is stateless; a response is stored (the default). */
const ROUTES = {
  chat: { path: '/v1/chat/completions', body: (stream: boolean) => JSON.stringify({ model: 'openclaw', stream, messages: [{ role: 'user', content: 'hi' }] }) },
  responses: { path: '/v1/responses', body: (stream: boolean) => JSON.stringify({ model: 'openclaw', stream, input: 'hi' }) },
  unstored: { path: '/v1/responses', body: (stream: boolean) => JSON.stringify({ model: 'openclaw', stream, input: 'hi', store: false }) },
  messages: { path: '/v1/messages', body: (stream: boolean) => JSON.stringify({ model: 'openclaw', stream, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) }
}
const RESPONSES = 'gateway /v1/responses (stored)'
const UNSTORED = 'gateway /v1/responses (store: false)'
const MESSAGES = 'gateway /v1/messages'
const STATELESS = 'gateway (stateless)'
const WITH_WORKSPACE = 'gateway (16 KB workspace)'
const WORKSPACE_KB = 16

function report (rows: Row[], o: { seconds: number, rounds: number, connections: number }): void {
  const f = (n: number, d = 2) => n.toFixed(d)
  const pct = (x: number) => `${f(100 * x, 0)} %`
  console.log(`\nPOST /v1/chat/completions (and /v1/responses, /v1/messages) — ${o.connections} connections, ${o.seconds} s per case in ${o.rounds} alternating rounds, loopback, ${os.cpus().length} CPUs`)
  console.log('case                                            req/s    p50 ms   p99 ms  vs bare  errors  cpu µs/req  seq p50 ms  ttfb p50 ms')
  for (const r of rows) {
    const label = `${r.target}${r.stream ? ' [stream]' : ''}`
    console.log(`${label.padEnd(44)}${f(r.rps, 0).padStart(9)}${f(r.p50).padStart(10)}${f(r.p99).padStart(9)}${pct(r.ratio).padStart(9)}${String(r.errors).padStart(8)}${(r.cpuUs === undefined ? '-' : f(r.cpuUs, 0)).padStart(12)}${f(r.seqP50, 3).padStart(12)}${f(r.ttfbP50, 3).padStart(13)}`)
  }
  for (const stream of [false, true]) {
    const gw = rows.find((x) => x.stream === stream && x.target === STATELESS)!
    const ws = rows.find((x) => x.stream === stream && x.target === WITH_WORKSPACE)!
    const bare = rows.find((x) => x.stream === stream && x.target === 'bare pass-through')!
    const added = gw.seqP50 - bare.seqP50
    const label = stream ? 'streaming' : 'non-streaming'
    console.log(`${label}: throughput ${pct(gw.ratio)} of bare, median of rounds ${gw.ratios.map(pct).join(', ')} (target >= 50 %: ${gw.ratio >= 0.5 ? 'met' : 'NOT met'}); added p50 latency ${f(added, 3)} ms (target < 1 ms: ${added < 1 ? 'met' : 'NOT met'})`)
    // Informational: the upstream, on the same cores, also reads the bigger requests.
    const more = ws.cpuUs === undefined || gw.cpuUs === undefined ? '-' : f(ws.cpuUs - gw.cpuUs, 0)
    console.log(`${label}: with ${WORKSPACE_KB} KB of workspace bootstrap files, ${more} µs CPU per request more than with an empty workspace (throughput ${pct(ws.ratio)} of bare; the upstream reads ${WORKSPACE_KB} KB more per request on the same cores)`)
    for (const name of [RESPONSES, UNSTORED, MESSAGES]) {
      const row = rows.find((x) => x.stream === stream && x.target === name)!
      // Judged round by round against the chat row of the same round (the same
      // bare burst divides both), then the median: a slow minute then weighs
      // on both sides of a comparison instead of on one row's median only.
      const rounds = row.ratios.map((r, i) => r / gw.ratios[i]!)
      const rel = median(rounds)
      console.log(`${label}: ${name} ${pct(row.ratio)} of bare; vs the chat completions row, round by round ${rounds.map(pct).join(', ')}: median ${pct(rel)} (target >= 90 %: ${rel >= 0.9 ? 'met' : 'NOT met'}; ratio of the two medians ${pct(row.ratio / gw.ratio)}); cpu ${row.cpuUs === undefined || gw.cpuUs === undefined ? '-' : f(row.cpuUs - gw.cpuUs, 0)} µs/req more than chat`)
    }
    if (stream) {
      const ttfb = gw.ttfbP50 - bare.ttfbP50
      console.log(`streaming time-to-first-byte overhead ${f(ttfb, 3)} ms (target < 1 ms: ${ttfb < 1 ? 'met' : 'NOT met'})`)
    }
  }
}

const role = arg('role', '')
if (role !== '') await runRole(role)
else await main()
