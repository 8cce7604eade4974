// The two servers the WebSocket bench compares, each run in its own child
// process (so client load and server cost do not share a CPU budget): the
// real gateway (buildGateway, token auth, silent logs) and a bare `ws` echo.
import { WebSocketServer } from 'ws'
import { startBenchGateway } from './support/gateway.js'

export interface Served { port: number, close: () => Promise<void> }

export async function serveGateway (): Promise<Served> {
  return await startBenchGateway({}, { backlog: 4096 })
}

/** Echoes every frame back as it came: the floor any WebSocket server pays. */
export async function serveBare (): Promise<Served> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 26_214_400, backlog: 4096 })
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => { ws.send(data, { binary: isBinary }) })
    ws.on('error', () => {})
  })
  await new Promise<void>((resolve) => { wss.once('listening', () => { resolve() }) })
  return {
    port: (wss.address() as { port: number }).port,
    close: async () => {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((resolve) => { wss.close(() => { resolve() }) })
    }
  }
}

/** Child-process entry: serve, report the port, answer RSS probes until told to exit. */
export async function runChild (kind: 'gateway' | 'bare'): Promise<void> {
  const served = kind === 'gateway' ? await serveGateway() : await serveBare()
  const gc = (globalThis as { gc?: () => void }).gc
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'rss') {
      gc?.()
      gc?.()
      const m = process.memoryUsage()
      process.send?.({ type: 'rss', rss: m.rss, heapUsed: m.heapUsed })
    } else if (msg.type === 'exit') {
      served.close().finally(() => { process.exit(0) })
    }
  })
  process.send?.({ type: 'ready', port: served.port })
}
