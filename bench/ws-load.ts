// Client-side load for the WebSocket bench. Each function drives one target
// (the gateway speaking protocol v4, or the bare echo server doing the same
// number of round trips) and measures from the client's side.
import WebSocket from 'ws'
import { BENCH_TOKEN } from './support/token.js'

export type Target = 'gateway' | 'bare'

const CONNECT_PARAMS = {
  minProtocol: 3,
  maxProtocol: 4,
  client: { id: 'cli', version: '1.0.0', platform: 'linux', mode: 'cli' },
  scopes: ['operator.read'],
  auth: { token: BENCH_TOKEN }
}
const CONNECT_FRAME = JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: CONNECT_PARAMS })

/**
 * Opens one connection and completes the handshake: for the gateway, challenge →
 * connect → hello-ok; for the bare server, open plus one echo of the same frame.
 */
export function handshake (url: string, target: Target): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const fail = (err: Error) => { ws.terminate(); reject(err) }
    ws.once('error', fail)
    if (target === 'bare') {
      ws.once('open', () => { ws.send(CONNECT_FRAME) })
      ws.once('message', () => { ws.off('error', fail); ws.on('error', () => {}); resolve(ws) })
      return
    }
    ws.on('message', function onMessage (data) {
      const text = data.toString()
      if (text.startsWith('{"type":"event","event":"connect.challenge"')) return ws.send(CONNECT_FRAME)
      ws.off('message', onMessage)
      ws.off('error', fail)
      ws.on('error', () => {})
      if (text.includes('"hello-ok"')) resolve(ws)
      else fail(new Error(`handshake refused: ${text.slice(0, 200)}`))
    })
  })
}

/** Opens n connections, at most `concurrency` handshakes in flight. */
export async function openMany (url: string, target: Target, n: number, concurrency: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = []
  let started = 0
  const worker = async () => {
    while (started < n) {
      started++
      sockets.push(await handshake(url, target))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return sockets
}

export async function closeAll (sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map(async (ws) => await new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve()
    ws.once('close', () => { resolve() })
    ws.close()
  })))
}

/** Starts a handshake every 1000/rate ms; returns each handshake's latency in ms. */
export async function paceHandshakes (url: string, target: Target, count: number, rate: number): Promise<{ latencies: number[], seconds: number }> {
  const latencies: number[] = []
  const started = performance.now()
  const pending: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    const t0 = performance.now()
    pending.push(handshake(url, target).then((ws) => {
      latencies.push(performance.now() - t0)
      ws.terminate()
    }))
  }
  await Promise.all(pending)
  return { latencies, seconds: (performance.now() - started) / 1000 }
}

/** Closed-loop round trips: each socket keeps `window` requests outstanding for `seconds`. */
export async function roundTrips (sockets: WebSocket[], seconds: number, window: number): Promise<number> {
  let done = 0
  let running = true
  let id = 0
  // The gateway answers it; the echo server sends it straight back.
  const frameFor = () => `{"type":"req","id":"h${++id}","method":"health"}`
  for (const ws of sockets) {
    ws.on('message', () => {
      done++
      if (running) ws.send(frameFor())
    })
    for (let i = 0; i < window; i++) ws.send(frameFor())
  }
  const warmup = 500
  await new Promise((resolve) => setTimeout(resolve, warmup))
  const from = done
  const t0 = performance.now()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const rate = (done - from) / ((performance.now() - t0) / 1000)
  running = false
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (const ws of sockets) ws.removeAllListeners('message')
  return rate
}

export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
