// startGateway in-process: listen retries and secret redaction in the log file
// (and on stdout). The environment is passed in; nothing reads process.env.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { startGateway, type RunningGateway, type StartOptions } from '../src/server.js'
import { StartupError } from '../src/errors/index.js'
import { freePort, request } from './support/spawn-gateway.js'
import { startHttpGateway } from './support/http-gateway.js'
import { waitFor } from './support/wait.js'

interface Home { dir: string, logFile: string, env: Record<string, string> }

async function home (t: TestContext, config: (logFile: string) => Record<string, unknown>): Promise<Home> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-server-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const logFile = path.join(dir, 'gateway.log')
  await writeFile(path.join(dir, 'openclaw.json'), JSON.stringify(config(logFile)))
  return { dir, logFile, env: { HOME: dir, OPENCLAW_STATE_DIR: dir } }
}

async function start (t: TestContext, opts: Partial<StartOptions> & Pick<StartOptions, 'env' | 'cli'>): Promise<RunningGateway> {
  const running = await startGateway({ version: '0.0.0-test', stdoutIsTTY: false, ...opts })
  t.after(() => running.close())
  return running
}

async function holdPort (port: number): Promise<net.Server> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(port, '127.0.0.1', resolve) })
  return server
}

test('a port that frees up during the listen retries still starts the gateway', { timeout: 60_000 }, async (t) => {
  const h = await home(t, (logFile) => ({ gateway: { mode: 'local' }, logging: { file: logFile } }))
  const port = await freePort()
  const blocker = await holdPort(port)
  const began = Date.now()
  setTimeout(() => { blocker.close() }, 300)
  const running = await start(t, { env: h.env, cli: { port }, listenRetries: 20, listenRetryDelayMs: 100 })
  assert.ok(Date.now() - began >= 250, 'it had to wait for the port')
  assert.equal(running.url, `ws://127.0.0.1:${port}`)
  const res = await request(port, '/healthz')
  assert.deepEqual(await res.json(), { ok: true, status: 'live' })
})

test('a port that stays busy fails after the retries with exit status 1, and releases the lock', { timeout: 60_000 }, async (t) => {
  const h = await home(t, (logFile) => ({ gateway: { mode: 'local' }, logging: { file: logFile } }))
  const port = await freePort()
  const blocker = await holdPort(port)
  t.after(() => { blocker.close() })
  await assert.rejects(startGateway({ env: h.env, version: '0', cli: { port }, listenRetries: 2, listenRetryDelayMs: 50 }), (err: unknown) => {
    assert.ok(err instanceof StartupError)
    assert.equal(err.code, 'PORT_IN_USE')
    assert.equal(err.exitCode, 1)
    assert.equal(err.message, `another gateway instance is already listening on ws://127.0.0.1:${port}`)
    return true
  })
  await assert.rejects(readFile(path.join(h.dir, 'gateway.lock')), { code: 'ENOENT' })
})

test('secrets never reach the log file or stdout: by key path and by value', { timeout: 60_000 }, async (t) => {
  const token = 'tok-5e5f1b0c7a2d4e9f8a'
  const apiKey = 'sk-test-7d3c2b1a0f9e8d7c6b5a'
  const password = 'pw-hunter2-correct-horse'
  const secrets = [token, apiKey, password]
  const h = await home(t, (logFile) => ({
    gateway: { mode: 'local', auth: { mode: 'token', token, password } },
    models: { providers: { x: { api: 'openai-completions', baseUrl: 'http://127.0.0.1:1/v1', apiKey } } },
    logging: { file: logFile, level: 'trace' }
  }))
  const running = await start(t, { env: h.env, cli: { port: await freePort(), verbose: true } })

  // An unauthenticated and a wrongly-authenticated request carrying the secrets.
  await request(running.listen.port, '/readyz', { headers: { authorization: `Bearer ${token}` } })
  await request(running.listen.port, '/nope', { headers: { authorization: `Bearer ${password}`, 'x-api-key': apiKey } })

  // The human stdout stream is written synchronously: capture exactly these lines.
  const stdout: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout.push(String(chunk)); return true }) as typeof process.stdout.write
  try {
    const log = running.logger
    log.info({ token, apiKey, password, headers: { authorization: `Bearer ${token}` } }, 'by key')
    log.info({ req: { headers: { authorization: `Bearer ${token}`, 'x-openclaw-token': token } }, auth: { token, password } }, 'request-ish')
    log.info({ provider: { apiKey, headers: { 'x-api-key': apiKey } } }, 'nested')
    log.info({ deep: { a: { b: { c: apiKey } } }, list: [password] }, 'values under keys nobody anticipated')
    log.warn(`string interpolation: token=${token} key=${apiKey} pw=${password}`)
    log.error({ err: new Error(`upstream said ${apiKey} is invalid`) }, 'error objects')
  } finally {
    process.stdout.write = write
  }
  await running.close()

  const text = await readFile(h.logFile, 'utf8')
  assert.match(text, /string interpolation/, 'the lines were written')
  assert.match(text, /\[REDACTED\]/)
  const printed = stdout.join('')
  assert.match(printed, /string interpolation/)
  for (const s of secrets) {
    assert.ok(!text.includes(s), `log file contains ${s}`)
    assert.ok(!printed.includes(s), `stdout contains ${s}`)
  }
})

test('config keys that have no effect yet are logged at start, one warning line each', { timeout: 60_000 }, async (t) => {
  const h = await home(t, (logFile) => ({
    gateway: { mode: 'local', controlUi: { basePath: '/ui', allowedOrigins: ['https://ui.example.com'] } },
    hooks: { enabled: true },
    logging: { file: logFile }
  }))
  const running = await start(t, { env: h.env, cli: { port: await freePort() } })
  await running.close()
  const warnings = (await readFile(h.logFile, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: number, msg: string })
    .filter((r) => r.level === 40).map((r) => r.msg)
  // hooks are supported: enabled without a token earns the hooks plugin's own warning.
  assert.deepEqual(warnings.sort(), ['hooks.enabled is true but hooks.token is empty: hooks stay off'])
})

test('a stop lets a request in flight finish, then closes its keep-alive connection at once, not after the 72 s keep-alive timeout', { timeout: 60_000 }, async (t) => {
  const h = await startHttpGateway(t)
  // A browser-like client: it keeps the connection open for its next request.
  const agent = new http.Agent({ keepAlive: true })
  t.after(() => { agent.destroy() })
  const body = JSON.stringify({ input: 'some text to embed' })
  let socketClosed = false
  let send!: (rest: string) => void
  const arrived = once(h.gw.app.server, 'request')
  const answer = new Promise<number>((resolve, reject) => {
    const req = http.request(`${h.origin}/v1/embeddings`, { method: 'POST', agent, headers: { authorization: `Bearer ${h.token!}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume().on('end', () => { resolve(res.statusCode ?? 0) })
    })
    req.on('socket', (socket) => { socket.once('close', () => { socketClosed = true }) })
    req.on('error', reject)
    send = (rest) => { req.end(rest) }
    // Headers and half the body now: the request is in flight when the stop begins.
    req.write(body.slice(0, 10))
  })
  await arrived
  let stopped = false
  const stopping = h.gw.close().then(() => { stopped = true })
  await waitFor('the gateway to stop listening', () => !h.gw.app.server.listening)
  send(body.slice(10))
  // A body without `model`: the point is that it is answered in full, here with its 400.
  assert.equal(await answer, 400)
  // Node's server.close() alone keeps this connection, and the stop, waiting for its keep-alive timeout.
  await waitFor('the gateway to stop and close the client connection', () => stopped && socketClosed)
  await stopping
})

test('a stop is not held up by a client that never finishes its request: its connection is cut at the close deadline', { timeout: 30_000 }, async (t) => {
  // Without the deadline Node keeps such a connection until the request timeout, here two minutes.
  const h = await startHttpGateway(t, { http: { requestTimeoutMs: 120_000, closeDeadlineMs: 300 } })
  const socket = net.connect(h.gw.port, '127.0.0.1')
  t.after(() => { socket.destroy() })
  await once(socket, 'connect')
  const arrived = once(h.gw.app.server, 'request')
  // The headers and the start of a body that never comes.
  socket.write(`POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.token!}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"inp`)
  await arrived
  const cut = once(socket, 'close')
  await h.gw.close()
  await cut
  assert.equal(h.gw.app.server.listening, false)
})
