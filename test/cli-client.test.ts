// GatewayClient against a scripted in-process WS server: handshake params,
// expectFinal, timeouts, error mapping, events, device signing.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { deviceSigner, identityFile } from '../src/client/device-identity.js'
import { GatewayClientError } from '../src/errors/client.js'
import { GatewayClient } from '../src/client/gateway-client.js'
import { rawPublicKey, verifyDeviceAuth } from '../src/devices/identity.js'
import { freePort } from './support/spawn-gateway.js'

type Frame = { type: string, id: string, method: string, params?: Record<string, unknown> }
type Script = (ws: WebSocket, frame: Frame) => void

const HELLO = {
  type: 'hello-ok',
  protocol: 4,
  server: { version: '9.9.9', connId: 'c1' },
  features: { methods: ['health', 'slow'], events: ['tick'] },
  snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 5 },
  auth: { role: 'operator', scopes: ['operator.read'] },
  policy: { maxPayload: 1, maxBufferedBytes: 1, tickIntervalMs: 30000 }
}

/** A server that sends the challenge, answers connect with hello-ok and hands other frames to `script`. */
async function fakeGateway (t: TestContext, opts: { challenge?: boolean, onConnect?: Script, script?: Script } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => { wss.once('listening', () => { resolve() }) })
  const connects: Frame[] = []
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      if (frame.method === 'connect') {
        connects.push(frame)
        if (opts.onConnect !== undefined) opts.onConnect(ws, frame)
        else ws.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: HELLO }))
        return
      }
      opts.script?.(ws, frame)
    })
    if (opts.challenge !== false) ws.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-1', ts: Date.now() } }))
  })
  t.after(async () => {
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((resolve) => { wss.close(() => { resolve() }) })
  })
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
  return { url, connects }
}

async function connect (t: TestContext, url: string, extra: Partial<Parameters<typeof GatewayClient.connect>[0]> = {}) {
  const client = await GatewayClient.connect({ url, clientVersion: '1.2.3', handshakeTimeoutMs: 2000, requestTimeoutMs: 2000, ...extra })
  t.after(() => client.close())
  return client
}

const code = (c: string) => (err: unknown) => {
  assert.ok(err instanceof GatewayClientError, `expected GatewayClientError, got ${String(err)}`)
  assert.equal(err.code, c, err.message)
  return true
}

test('connect sends protocol-4 operator params with the token and resolves hello-ok', async (t) => {
  const gw = await fakeGateway(t)
  const client = await connect(t, gw.url, { auth: { token: 'tok', password: '' } })
  assert.equal(client.hello.server.version, '9.9.9')
  assert.deepEqual(client.scopes, ['operator.read'])
  assert.equal(client.supports('health'), true)
  assert.equal(client.supports('nope'), false)
  const params = gw.connects[0]!.params!
  assert.equal(params.minProtocol, 4)
  assert.equal(params.maxProtocol, 4)
  assert.equal(params.role, 'operator')
  assert.deepEqual(params.client, { id: 'cli', version: '1.2.3', platform: process.platform, mode: 'cli' })
  assert.deepEqual(params.scopes, ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'])
  assert.deepEqual(params.auth, { token: 'tok' }, 'empty credentials are not sent')
  assert.equal('device' in params, false)
})

test('a probe offers protocol 3..4', async (t) => {
  const gw = await fakeGateway(t)
  await connect(t, gw.url, { probe: true })
  assert.equal(gw.connects[0]!.params!.minProtocol, 3)
  assert.equal(gw.connects[0]!.params!.maxProtocol, 4)
})

test('request resolves the payload; expectFinal skips the accepted ack', async (t) => {
  const gw = await fakeGateway(t, {
    script: (ws, f) => {
      ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: { status: 'accepted', runId: 'r' } }))
      setTimeout(() => ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: { status: 'ok', runId: 'r', echo: f.params } })), 20)
    }
  })
  const client = await connect(t, gw.url)
  assert.deepEqual(await client.request('agent', { a: 1 }), { status: 'accepted', runId: 'r' })
  assert.deepEqual(await client.request('agent', { a: 2 }, { expectFinal: true }), { status: 'ok', runId: 'r', echo: { a: 2 } })
})

test('an error response rejects with RPC_ERROR and the server error shape', async (t) => {
  const gw = await fakeGateway(t, {
    script: (ws, f) => { ws.send(JSON.stringify({ type: 'res', id: f.id, ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method: ${f.method}` } })) }
  })
  const client = await connect(t, gw.url)
  await assert.rejects(client.request('bogus'), (err: unknown) => {
    code('RPC_ERROR')(err)
    assert.deepEqual((err as GatewayClientError).rpc, { code: 'INVALID_REQUEST', message: 'unknown method: bogus' })
    assert.match((err as Error).message, /bogus failed: unknown method: bogus/)
    return true
  })
})

test('a request without an answer times out; a close rejects what is pending', async (t) => {
  let peer: WebSocket | undefined
  const gw = await fakeGateway(t, { script: (ws) => { peer = ws } })
  const client = await connect(t, gw.url)
  const started = Date.now()
  await assert.rejects(client.request('slow', undefined, { timeoutMs: 150 }), code('TIMEOUT'))
  assert.ok(Date.now() - started < 10_000, 'the 150 ms timeout fired, not the test deadline')
  const pending = client.request('slow')
  await new Promise((resolve) => setTimeout(resolve, 50))
  peer!.close(1012, 'service restart')
  await assert.rejects(pending, (err: unknown) => {
    code('CLOSED')(err)
    assert.match((err as Error).message, /1012.*service restart/)
    return true
  })
  await assert.rejects(client.request('health'), code('CLOSED'))
})

test('server events are emitted', async (t) => {
  const gw = await fakeGateway(t, { script: (ws, f) => { ws.send(JSON.stringify({ type: 'event', event: 'tick', payload: { ts: 1 }, seq: 1 })); ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: {} })) } })
  const client = await connect(t, gw.url)
  const seen = new Promise((resolve) => { client.once('event', resolve) })
  await client.request('health')
  assert.deepEqual(await seen, { type: 'event', event: 'tick', payload: { ts: 1 }, seq: 1 })
})

test('an unauthorized connect maps to UNAUTHORIZED with the server message', async (t) => {
  const gw = await fakeGateway(t, {
    onConnect: (ws, f) => {
      const message = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)"
      ws.send(JSON.stringify({ type: 'res', id: f.id, ok: false, error: { code: 'INVALID_REQUEST', message, details: { code: 'AUTH_TOKEN_MISMATCH' } } }))
      ws.close(1008, 'unauthorized: gateway token mismatch')
    }
  })
  await assert.rejects(connect(t, gw.url, { auth: { token: 'wrong' } }), (err: unknown) => {
    code('UNAUTHORIZED')(err)
    assert.match((err as Error).message, /^unauthorized: gateway token mismatch \(/)
    return true
  })
})

test('nothing listening maps to UNREACHABLE; a silent server to HANDSHAKE_TIMEOUT', async (t) => {
  const port = await freePort()
  await assert.rejects(connect(t, `ws://127.0.0.1:${port}`), (err: unknown) => {
    code('UNREACHABLE')(err)
    assert.equal((err as Error).message, `gateway not reachable at ws://127.0.0.1:${port} (connection refused)`)
    return true
  })
  const silent = await fakeGateway(t, { challenge: false })
  await assert.rejects(connect(t, silent.url, { handshakeTimeoutMs: 200 }), code('HANDSHAKE_TIMEOUT'))
})

test('the device signer creates a 0600 identity and signs the challenge over the sent params', async (t) => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cli-client-'))
  t.after(() => rm(stateDir, { recursive: true, force: true }))
  const gw = await fakeGateway(t)
  await connect(t, gw.url, { auth: { token: 'tok' }, device: deviceSigner(stateDir) })
  const params = gw.connects[0]!.params! as { device: { id: string, publicKey: string, signature: string, signedAt: number, nonce: string }, scopes: string[] }
  assert.equal(params.device.nonce, 'n-1')
  assert.equal((await stat(identityFile(stateDir))).mode & 0o777, 0o600)
  const raw = rawPublicKey(params.device.publicKey)!
  const version = verifyDeviceAuth(raw, {
    deviceId: params.device.id,
    clientId: 'cli',
    clientMode: 'cli',
    role: 'operator',
    scopes: params.scopes,
    signedAtMs: params.device.signedAt,
    token: 'tok',
    nonce: 'n-1',
    platform: process.platform
  }, params.device.signature)
  assert.equal(version, 'v3')
  // Same identity on the next connect.
  await connect(t, gw.url, { device: deviceSigner(stateDir) })
  assert.equal((gw.connects[1]!.params! as typeof params).device.id, params.device.id)
})
