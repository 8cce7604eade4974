// The two servers the WebSocket bench compares, each run in its own child
// process (so client load and server cost do not share a CPU budget): the
// real gateway (buildGateway, token auth, silent logs) and a bare `ws` echo.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WebSocketServer } from 'ws'
import { buildGateway } from '../src/app.js'
import { parseConfigText } from '../src/config/load.js'
import { resolveSecrets } from '../src/config/secrets.js'
import { resolveAuth } from '../src/config/settings.js'
import { ConfigStore } from '../src/config/store.js'
import { createLogger } from '../src/logging/logger.js'

export const BENCH_TOKEN = 'bench-token-0123456789abcdef'

export interface Served { port: number, close: () => Promise<void> }

export async function serveGateway (): Promise<Served> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-bench-'))
  const env = { HOME: dir }
  const snapshot = parseConfigText(path.join(dir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local', auth: { token: BENCH_TOKEN } } }), env)
  const secrets = await resolveSecrets(snapshot.config, env)
  const app = await buildGateway({
    store: new ConfigStore({ snapshot, secrets, auth: resolveAuth(snapshot.config, secrets, {}, env) }),
    paths: { home: dir, profile: undefined, stateDir: path.join(dir, 'state'), configPath: path.join(dir, 'openclaw.json'), logDir: dir },
    listen: { port: 0, bind: 'loopback', host: '127.0.0.1' },
    logger: createLogger({ level: 'silent', file: undefined }),
    version: '0.0.0-bench',
    env
  })
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 })
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
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
