// WebSocket control-plane bench: the gateway against a bare `ws` echo server
// measured in the same run, each server in its own child process, loopback only.
//
//   node dist/bench/ws.js [idleConnections=10000]
//
// Prints RSS growth for N idle authenticated connections, handshake p50/p99 at
// ~500 connects/s, and `health` round trips/s over 100 connections, each with
// its ratio to the bare baseline. 10,000 connections need `ulimit -n` ≥ ~21000
// (client and server sockets) and free loopback ports; lower N otherwise.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { closeAll, openMany, paceHandshakes, percentile, roundTrips, type Target } from './ws-load.js'
import { runChild } from './ws-servers.js'

const HANDSHAKE_RATE = 500
const HANDSHAKE_COUNT = 2500
const RT_CONNECTIONS = 100
const RT_WINDOW = 8
const RT_SECONDS = 5
const OPEN_CONCURRENCY = 200
const DEADLINE_MS = 10 * 60_000

interface Child { proc: ChildProcess, url: string }

interface Figures { rssBytes: number, perConnBytes: number, p50: number, p99: number, achievedRate: number, rtPerSec: number }

async function start (kind: Target): Promise<Child> {
  const proc = fork(fileURLToPath(import.meta.url), [`--serve=${kind}`], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m: { type: string, port: number }) => { resolve(m.port) })
    proc.once('exit', (code) => { reject(new Error(`${kind} server exited with ${String(code)}`)) })
  })
  return { proc, url: `ws://127.0.0.1:${port}` }
}

function rss (child: Child): Promise<number> {
  return new Promise((resolve) => {
    child.proc.once('message', (m: { rss: number }) => { resolve(m.rss) })
    child.proc.send({ type: 'rss' })
  })
}

async function stop (child: Child): Promise<void> {
  const exited = new Promise((resolve) => { child.proc.once('exit', resolve) })
  child.proc.send({ type: 'exit' })
  await exited
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function measure (kind: Target, idle: number): Promise<Figures> {
  const child = await start(kind)
  try {
    // Warm the server's code paths before taking the baseline.
    await closeAll(await openMany(child.url, kind, 200, 50))
    await settle(500)
    const before = await rss(child)
    const sockets = await openMany(child.url, kind, idle, OPEN_CONCURRENCY)
    await settle(1000)
    const after = await rss(child)
    await closeAll(sockets)
    await settle(500)

    const hs = await paceHandshakes(child.url, kind, HANDSHAKE_COUNT, HANDSHAKE_RATE)
    await settle(500)

    const rtSockets = await openMany(child.url, kind, RT_CONNECTIONS, RT_CONNECTIONS)
    const rtPerSec = await roundTrips(rtSockets, RT_SECONDS, RT_WINDOW)
    await closeAll(rtSockets)
    return {
      rssBytes: after - before,
      perConnBytes: (after - before) / idle,
      p50: percentile(hs.latencies, 50),
      p99: percentile(hs.latencies, 99),
      achievedRate: hs.latencies.length / hs.seconds,
      rtPerSec
    }
  } finally {
    await stop(child)
  }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`

function report (idle: number, gw: Figures, bare: Figures): void {
  const lines = [
    `WebSocket bench (loopback, node ${process.version}); ratios are gateway / bare ws echo`,
    '',
    `RSS growth, ${idle} idle authenticated connections:`,
    `  gateway ${mb(gw.rssBytes)} (${(gw.perConnBytes / 1024).toFixed(2)} KiB/conn)   bare ${mb(bare.rssBytes)} (${(bare.perConnBytes / 1024).toFixed(2)} KiB/conn)   ratio ${ratio(gw.rssBytes, bare.rssBytes)}   target < 60 MB at 10,000: ${gw.rssBytes < 60 * 1024 * 1024 ? 'met' : 'MISSED'}`,
    `Handshake latency at ~${HANDSHAKE_RATE} connects/s (${HANDSHAKE_COUNT} connects):`,
    `  gateway p50 ${gw.p50.toFixed(2)} ms  p99 ${gw.p99.toFixed(2)} ms (${gw.achievedRate.toFixed(0)}/s)   bare p50 ${bare.p50.toFixed(2)} ms  p99 ${bare.p99.toFixed(2)} ms (${bare.achievedRate.toFixed(0)}/s)   ratio p50 ${ratio(gw.p50, bare.p50)} p99 ${ratio(gw.p99, bare.p99)}`,
    `health round trips over ${RT_CONNECTIONS} connections (${RT_WINDOW} in flight each, ${RT_SECONDS} s):`,
    `  gateway ${gw.rtPerSec.toFixed(0)}/s   bare echo ${bare.rtPerSec.toFixed(0)}/s   ratio ${ratio(gw.rtPerSec, bare.rtPerSec)}   target ≥ 20,000/s: ${gw.rtPerSec >= 20_000 ? 'met' : 'MISSED'}`
  ]
  process.stdout.write(lines.join('\n') + '\n')
}

async function main (): Promise<void> {
  const serve = process.argv.find((a) => a.startsWith('--serve='))?.slice('--serve='.length)
  if (serve === 'gateway' || serve === 'bare') return await runChild(serve)
  const idle = Number(process.argv[2] ?? 10_000)
  if (!Number.isInteger(idle) || idle < 1) throw new Error('usage: node dist/bench/ws.js [idleConnections]')
  const deadline = setTimeout(() => {
    process.stderr.write('bench: deadline exceeded\n')
    process.exit(2)
  }, DEADLINE_MS)
  deadline.unref()
  const bare = await measure('bare', idle)
  const gw = await measure('gateway', idle)
  report(idle, gw, bare)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
