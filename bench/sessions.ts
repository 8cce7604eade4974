// Session store at scale: `node dist/bench/sessions.js [--sizes 100,10000,100000] [--turns 400]
// [--compare <another build's dist/src/sessions/index.js>]` (turns through that store too, same seed)
// [--child-flags '--max-semi-space-size=4']` (node flags for the gateway child, e.g. a smaller young generation).
//
// Per size N it seeds a state dir with N sessions (two messages each, plus one
// 10,000-message transcript) through the store's own record and index writers,
// then measures, in a fresh child process per size running the real gateway:
// listening, start-up (to the first `sessions.list` page over WS) and RSS after
// it, the `sessions.list` first page, a search, and a 200-message `chat.history`
// tail (start-up CPU time too: the steadiest figure on a shared machine).
// In this process it runs persisted turns through the store (8 at a
// time, each a new session: user + assistant messages, fdatasync'd) and reports
// turns/s and p50/p99 latency. The 100-session row is the baseline of the ratios.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createFileSessionStore } from '../src/sessions/index.js'
import { writeIndex } from '../src/sessions/index-file.js'
import { applyMessages, serializeRecord } from '../src/sessions/records.js'
import type { SessionEntry, TranscriptMessage } from '../src/sessions/index.js'

const CONCURRENCY = 8
const BIG_KEY = 'agent:main:bench-big'
const BIG_MESSAGES = 10_000
const SEED_BATCH = 500

function argValue (name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

function message (i: number, role: 'user' | 'assistant', ts: number): TranscriptMessage {
  return { id: `m${i}`, role, content: `${role} message ${i} about topic ${i % 997}`, timestamp: ts, ...(role === 'assistant' ? { usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 } } : {}) }
}

/** Writes N sessions the way the store lays them out, without an fsync per file (seeding only). */
async function seed (stateDir: string, n: number): Promise<void> {
  const dir = path.join(stateDir, 'agents', 'main', 'sessions')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const entries = new Map<string, SessionEntry>()
  const base = Date.now() - n * 1000
  const one = async (key: string, createdAt: number, count: number): Promise<void> => {
    const sessionId = randomUUID()
    const entry: SessionEntry = { key, agentId: 'main', sessionId, createdAt, updatedAt: createdAt, messageCount: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 }
    const messages = Array.from({ length: count }, (_, j) => message(j, j % 2 === 0 ? 'user' : 'assistant', createdAt + j))
    applyMessages(entry, messages)
    entry.updatedAt = createdAt + count
    const lines = [serializeRecord({ type: 'session', version: 1, key, sessionId, agentId: 'main', createdAt }), ...messages.map((m) => serializeRecord({ type: 'message', ...m }))]
    await writeFile(path.join(dir, `${sessionId}.jsonl`), lines.join(''), { mode: 0o600 })
    entries.set(key, entry)
  }
  for (let i = 0; i < n; i += SEED_BATCH) {
    await Promise.all(Array.from({ length: Math.min(SEED_BATCH, n - i) }, (_, j) => one(`agent:main:seed-${i + j}`, base + (i + j) * 1000, 2)))
  }
  await one(BIG_KEY, base, BIG_MESSAGES)
  await writeIndex(path.join(dir, 'sessions.json'), entries)
}

interface ReadFigures { listenMs: number, startupMs: number, startupCpuMs: number, rssMb: number, listMs: number, searchMs: number, searchHits: number, historyMs: number }

/**
 * The read side through the real gateway and its WS methods, in a fresh
 * process so start-up and RSS are its own: start-up is build → listening →
 * the first `sessions.list` page answered (which loads the index).
 */
const CHILD = `
const [gatewayUrl, loadUrl, stateDir, bigKey] = process.argv.slice(1);
const { startBenchGateway } = await import(gatewayUrl);
const { handshake } = await import(loadUrl);
const now = () => performance.now();
const t0 = now();
const gw = await startBenchGateway({}, {}, { stateDir });
const listenMs = now() - t0;
const ws = await handshake(gw.url.replace('http:', 'ws:'), 'gateway');
let n = 0;
const rpc = (method, params) => new Promise((resolve, reject) => {
  const id = 'r' + (++n);
  const onMessage = (data) => {
    const f = JSON.parse(data.toString());
    if (f.type !== 'res' || f.id !== id) return;
    ws.off('message', onMessage);
    f.ok ? resolve(f.payload) : reject(new Error(JSON.stringify(f.error)));
  };
  ws.on('message', onMessage);
  ws.send(JSON.stringify({ type: 'req', id, method, params }));
});
await rpc('sessions.list', { limit: 50 });
const startupMs = now() - t0;
const cpu = process.cpuUsage();
const startupCpuMs = (cpu.user + cpu.system) / 1000;
const rssMb = process.memoryUsage().rss / 2 ** 20;
const med = async (fn) => { const xs = []; for (let i = 0; i < 9; i++) { const s = now(); await fn(); xs.push(now() - s) } return xs.sort((a, b) => a - b)[4] };
const listMs = await med(() => rpc('sessions.list', { limit: 50 }));
let searchHits = 0;
const searchMs = await med(async () => { searchHits = (await rpc('sessions.list', { limit: 50, search: 'seed-9' })).totalCount });
const historyMs = await med(() => rpc('chat.history', { sessionKey: bigKey, limit: 200 }));
ws.close();
await gw.close();
process.stdout.write(JSON.stringify({ listenMs, startupMs, startupCpuMs, rssMb, listMs, searchMs, searchHits, historyMs }));
`

async function measureReads (stateDir: string, childFlags: string[]): Promise<ReadFigures> {
  const gatewayUrl = new URL('./support/gateway.js', import.meta.url).href
  const loadUrl = new URL('./ws-load.js', import.meta.url).href
  const child = spawn(process.execPath, [...childFlags, '--input-type=module', '-e', CHILD, gatewayUrl, loadUrl, stateDir, BIG_KEY], { stdio: ['ignore', 'pipe', 'inherit'] })
  let text = ''
  child.stdout.on('data', (d: Buffer) => { text += d.toString() })
  await new Promise<void>((resolve, reject) => child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`child exited ${String(code)}`))))
  return JSON.parse(text) as ReadFigures
}

interface TurnFigures { turnsPerSec: number, p50: number, p99: number }

type StoreFactory = typeof createFileSessionStore

async function measureTurns (stateDir: string, turns: number, create: StoreFactory = createFileSessionStore): Promise<TurnFigures> {
  const store = create({ stateDir })
  await store.list({ limit: 1 })
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < turns) {
      const i = next++
      const t = performance.now()
      const now = Date.now()
      await store.append(`agent:main:turn-${i}-${randomUUID()}`, [message(0, 'user', now), message(1, 'assistant', now)])
      latencies.push(performance.now() - t)
    }
  }))
  const elapsed = performance.now() - started
  await store.close()
  latencies.sort((a, b) => a - b)
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return { turnsPerSec: (turns / elapsed) * 1000, p50: q(0.5), p99: q(0.99) }
}

const f = (x: number, d = 1): string => x.toFixed(d)

async function main (): Promise<void> {
  const sizes = argValue('--sizes', '100,10000,100000').split(',').map(Number)
  const turns = Number(argValue('--turns', '400'))
  const childFlags = argValue('--child-flags', '').split(' ').filter((x) => x !== '')
  const compare = process.argv.includes('--compare') ? argValue('--compare', '') : undefined
  const other = compare ? (await import(path.resolve(compare)) as { createFileSessionStore: StoreFactory }).createFileSessionStore : undefined
  const rows: Array<{ n: number, reads: ReadFigures, turns: TurnFigures, otherTurns?: TurnFigures, seedMs: number }> = []
  for (const n of sizes) {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bench-sessions-'))
    try {
      const s = performance.now()
      await seed(stateDir, n)
      const seedMs = performance.now() - s
      const reads = await measureReads(stateDir, childFlags)
      const mine = await measureTurns(stateDir, turns)
      // The other store gets the same seed (its own turns left out: new keys only).
      const otherTurns = other ? await measureTurns(stateDir, turns, other) : undefined
      rows.push({ n, reads, turns: mine, ...(otherTurns ? { otherTurns } : {}), seedMs })
      process.stderr.write(`size ${n} done (seeded in ${f(seedMs / 1000)} s)\n`)
    } finally {
      await rm(stateDir, { recursive: true, force: true })
    }
  }
  const base = rows[0]!
  const mark = (ok: boolean): string => ok ? 'ok' : 'MISSED'
  console.log(`sessions bench: ${turns} persisted turns per size, ${CONCURRENCY} concurrent, each a new session; baseline = ${base.n} sessions${childFlags.length > 0 ? `; gateway child flags: ${childFlags.join(' ')}` : ''}`)
  console.log('sessions | turns/s | p50 ms | p99 ms | p50 vs base | listening ms | start-up ms (CPU ms) | RSS MB | list ms | search ms (hits) | history tail ms')
  for (const r of rows) {
    console.log([r.n, f(r.turns.turnsPerSec, 0), f(r.turns.p50), f(r.turns.p99), `${f(r.turns.p50 / base.turns.p50, 2)}x`,
      f(r.reads.listenMs, 0), `${f(r.reads.startupMs, 0)} (${f(r.reads.startupCpuMs, 0)})`, f(r.reads.rssMb, 0), f(r.reads.listMs, 2), `${f(r.reads.searchMs, 2)} (${r.reads.searchHits})`, f(r.reads.historyMs, 2)].join(' | '))
  }
  if (other) {
    console.log(`--compare ${compare}: the same turns through that store`)
    console.log('sessions | turns/s | p50 ms | p99 ms | p50 vs this build')
    for (const r of rows) console.log([r.n, f(r.otherTurns!.turnsPerSec, 0), f(r.otherTurns!.p50), f(r.otherTurns!.p99), `${f(r.otherTurns!.p50 / r.turns.p50, 2)}x`].join(' | '))
  }
  const big = rows[rows.length - 1]!
  console.log(`targets at ${big.n}: p50 within 1.2x of ${base.n}: ${mark(big.turns.p50 <= 1.2 * base.turns.p50)}; list < 50 ms: ${mark(big.reads.listMs < 50 && big.reads.searchMs < 50)}; ` +
    `listening < 1 s: ${mark(big.reads.listenMs < 1000)}; first page < 1 s: ${mark(big.reads.startupMs < 1000)}; RSS < 120 MB: ${mark(big.reads.rssMb < 120)}`)
}

await main()
