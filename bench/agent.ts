// bench/agent: what one agent turn costs on top of the model call.
//   node --expose-gc dist/bench/agent.js [soakSeconds=60] [concurrency=50]
// 1. p50/p99 of: a raw undici call to the upstream, the provider adapter's
//    stream, and a stateless engine turn (persist:false): the difference is the
//    engine's added latency (target < 2 ms at p50).
// 2. A soak: `concurrency` persisted sessions streaming turns back to back for
//    `soakSeconds`; each session is reset every 20 turns so the data set stays
//    the same size. RSS and heap are sampled every 5 s (after a full GC when
//    --expose-gc is given, so the sawtooth does not hide or fake a trend);
//    growth after warm-up is reported (target: flat).
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { AgentEngine } from '../src/agents/engine.js'
import { createProvider } from '../src/providers/index.js'
import { createFileSessionStore } from '../src/sessions/index.js'
import { createToolRegistry, registerBuiltinTools } from '../src/tools/index.js'
import { startEchoUpstream } from './support/echo-upstream.js'
import { percentile } from './support/load.js'

const soakSeconds = Number(process.argv[2] ?? 60)
const concurrency = Number(process.argv[3] ?? 50)
const ITER = 2000

const up = await startEchoUpstream()
const stateDir = await mkdtemp(path.join(os.tmpdir(), 'oc-bench-agent-'))
const config = {
  models: { providers: { fake: { baseUrl: up.openaiBaseUrl, api: 'openai-completions' as const, models: [{ id: 'echo' }] } } },
  agents: { defaults: { model: 'fake/echo', maxConcurrent: concurrency } }
}
const sessions = createFileSessionStore({ stateDir })
const tools = createToolRegistry()
registerBuiltinTools(tools)
const quiet = { debug () {}, info () {}, warn () {} }
const engine = new AgentEngine({
  getConfig: () => config,
  dirs: { stateDir, home: stateDir },
  sessions,
  tools,
  getApiKey: () => 'sk-bench',
  publish: () => {},
  logger: quiet
})

async function time (label: string, fn: () => Promise<void>): Promise<{ label: string, p50: number, p99: number, perSec: number }> {
  for (let i = 0; i < 200; i++) await fn()
  const xs: number[] = []
  const t0 = performance.now()
  for (let i = 0; i < ITER; i++) { const t = performance.now(); await fn(); xs.push(performance.now() - t) }
  return { label, p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), perSec: ITER / ((performance.now() - t0) / 1000) }
}

const pool = new Pool(up.url)
const body = JSON.stringify({ model: 'echo', stream: true, messages: [{ role: 'user', content: 'hi' }] })
const raw = await time('raw undici request', async () => {
  const r = await pool.request({ method: 'POST', path: '/v1/chat/completions', body, headers: { 'content-type': 'application/json' } })
  await r.body.dump({ limit: Infinity })
})
const adapter = createProvider('fake', config.models.providers.fake, { getApiKey: () => 'sk-bench' })
const direct = await time('provider adapter stream', async () => {
  await adapter.streamTo({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, () => {})
})
const turn = await time('engine stateless turn', async () => {
  const r = await engine.start({ source: 'openai', persist: false, input: [{ role: 'user', content: 'hi' }] }).done
  if (r.status !== 'ok') throw new Error(`turn failed: ${r.error?.message}`)
})

const fmt = (n: number) => n.toFixed(3).padStart(8)
console.log('\nagent turn latency (sequential, zero think time)')
console.log('case                         p50 ms   p99 ms   turns/s')
for (const r of [raw, direct, turn]) console.log(`${r.label.padEnd(27)}${fmt(r.p50)} ${fmt(r.p99)} ${r.perSec.toFixed(0).padStart(9)}`)
const added = turn.p50 - direct.p50
console.log(`added by the engine at p50: ${added.toFixed(3)} ms vs adapter, ${(turn.p50 - raw.p50).toFixed(3)} ms vs raw (target < 2 ms): ${added < 2 ? 'met' : 'NOT met'}`)

// Soak: concurrent persisted sessions.
const deadline = Date.now() + soakSeconds * 1000
const samples: Array<{ t: number, rssMb: number, heapMb: number }> = []
let turns = 0
const gc = (globalThis as { gc?: () => void }).gc
const sampler = setInterval(() => {
  gc?.()
  const m = process.memoryUsage()
  samples.push({ t: Math.round((Date.now() - (deadline - soakSeconds * 1000)) / 1000), rssMb: m.rss / 1048576, heapMb: m.heapUsed / 1048576 })
}, 5000)
await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
  const key = `agent:main:bench-${i}`
  let n = 0
  while (Date.now() < deadline) {
    // Resetting every 20 turns keeps the history (and the request) bounded, as real chats are.
    if (n > 0 && n % 20 === 0) await sessions.reset(key)
    const r = await engine.start({ source: 'chat', sessionKey: key, input: [{ role: 'user', content: `turn ${n}` }] }).done
    if (r.status !== 'ok') throw new Error(`soak turn failed: ${r.error?.message}`)
    n++
    turns++
  }
}))
clearInterval(sampler)
console.log(`\nsoak: ${concurrency} concurrent streaming sessions for ${soakSeconds} s: ${turns} turns (${(turns / soakSeconds).toFixed(0)}/s)`)
console.log(`samples (s: RSS MB / heap MB${gc === undefined ? ', run with --expose-gc for steadier figures' : ', after full GC'}): ${samples.map((x) => `${x.t}:${x.rssMb.toFixed(0)}/${x.heapMb.toFixed(0)}`).join(' ')}`)
const afterWarmup = samples.filter((x) => x.t >= 15)
if (afterWarmup.length >= 2) {
  const rss = afterWarmup.at(-1)!.rssMb - afterWarmup[0]!.rssMb
  const heap = afterWarmup.at(-1)!.heapMb - afterWarmup[0]!.heapMb
  console.log(`growth after warm-up (15 s → end): RSS ${rss.toFixed(1)} MB, heap ${heap.toFixed(1)} MB (target: flat, < 10 MB): ${rss < 10 && heap < 10 ? 'met' : 'NOT met'}`)
}

await engine.close()
await sessions.close()
await adapter.close()
await pool.close()
await up.close()
await rm(stateDir, { recursive: true, force: true })
