// The pieces behind ws-rpc without a socket: scope hierarchy, origin policy,
// device payload format, close-reason truncation, the idempotency cache,
// the dispatcher's shutdown refusal and the device pairing store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { checkBrowserOrigin } from '../plugins/ws-rpc/origin.js'
import { truncateCloseReason } from '../plugins/ws-rpc/settings.js'
import { createDeviceIdentity, signDeviceConnect } from '../src/devices/client.js'
import { buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3, deviceIdOf, rawPublicKey, verifyDeviceAuth } from '../src/devices/identity.js'
import { DevicePairingStore } from '../src/devices/store.js'
import { Dispatcher } from '../src/rpc/dispatch.js'
import { IdempotencyCache } from '../src/rpc/idempotency.js'
import { MethodRegistry } from '../src/rpc/registry.js'
import type { RpcPeer } from '../src/rpc/request-context.js'
import { scopeSatisfied } from '../src/rpc/scopes.js'
import { SessionSubscriptionSet } from '../src/rpc/session-subscriptions.js'

test('scope hierarchy: admin ⊇ all, write ⇒ read/talk/sessions, read ⇒ sessions.read', () => {
  const has = (...s: string[]) => new Set(s)
  assert.ok(scopeSatisfied('operator.pairing', has('operator.admin')))
  assert.ok(scopeSatisfied('operator.read', has('operator.write')))
  assert.ok(scopeSatisfied('operator.talk', has('operator.write')))
  assert.ok(scopeSatisfied('operator.sessions.write', has('operator.write')))
  assert.ok(scopeSatisfied('operator.sessions.read', has('operator.read')))
  assert.ok(!scopeSatisfied('operator.write', has('operator.read')))
  assert.ok(!scopeSatisfied('operator.pairing', has('operator.write')))
  assert.ok(!scopeSatisfied('operator.approvals', has('operator.read', 'operator.pairing')))
})

test('origin policy', () => {
  const policy = { allowedOrigins: ['https://ops.example.com'], allowHostHeaderFallback: false }
  assert.deepEqual(checkBrowserOrigin('https://OPS.example.com', 'gw:1', false, policy), { ok: true })
  assert.deepEqual(checkBrowserOrigin('https://ops.example.com:443', 'gw:1', false, policy), { ok: true })
  assert.deepEqual(checkBrowserOrigin('https://evil.example', 'gw:1', false, policy), { ok: false, reason: 'origin not allowed' })
  assert.deepEqual(checkBrowserOrigin('null', 'gw:1', true, policy), { ok: false, reason: 'origin missing or invalid' })
  assert.deepEqual(checkBrowserOrigin('http://localhost:3000', 'gw:1', true, policy), { ok: true })
  assert.deepEqual(checkBrowserOrigin('http://localhost:3000', 'gw:1', false, policy), { ok: false, reason: 'origin not allowed' })
  assert.deepEqual(checkBrowserOrigin('http://10.0.0.5:18789', '10.0.0.5:18789', false, policy), { ok: true })
  assert.deepEqual(checkBrowserOrigin('http://gw.example.com:18789', 'gw.example.com:18789', false, policy), { ok: false, reason: 'origin not allowed' })
  assert.deepEqual(checkBrowserOrigin('http://gw.example.com:18789', 'gw.example.com:18789', false, { ...policy, allowHostHeaderFallback: true }), { ok: true })
})

test('device auth payloads are the exact pipe-joined strings OpenClaw signs', () => {
  const input = { deviceId: 'dev', clientId: 'cli', clientMode: 'cli', role: 'operator', scopes: ['operator.read', 'operator.write'], signedAtMs: 1700000000000, token: 'tok', nonce: 'n-1', platform: ' Linux ', deviceFamily: 'Desktop' }
  assert.equal(buildDeviceAuthPayloadV3(input), 'v3|dev|cli|cli|operator|operator.read,operator.write|1700000000000|tok|n-1|linux|desktop')
  assert.equal(buildDeviceAuthPayloadV2({ ...input, token: undefined }), 'v2|dev|cli|cli|operator|operator.read,operator.write|1700000000000||n-1')
})

test('device ids are the sha256 of the raw key; PEM and base64url keys are equivalent', () => {
  const id = createDeviceIdentity()
  const fromPem = rawPublicKey(id.publicKeyPem)!
  assert.equal(fromPem.toString('base64url'), id.publicKey)
  assert.equal(deviceIdOf(rawPublicKey(id.publicKey)!), id.deviceId)
  assert.match(id.deviceId, /^[0-9a-f]{64}$/)
  assert.equal(rawPublicKey('not a key!'), undefined)
  const proof = signDeviceConnect({ identity: id, nonce: 'n', signedAtMs: 5, clientId: 'cli', clientMode: 'cli', scopes: ['operator.read'], platform: 'Linux' })
  const input = { deviceId: id.deviceId, clientId: 'cli', clientMode: 'cli', role: 'operator', scopes: ['operator.read'], signedAtMs: 5, token: undefined, nonce: 'n', platform: 'linux' }
  assert.equal(verifyDeviceAuth(fromPem, input, proof.signature), 'v3')
  assert.equal(verifyDeviceAuth(fromPem, { ...input, role: 'node' }, proof.signature), undefined)
})

test('close reasons are cut to 123 bytes of UTF-8', () => {
  assert.equal(truncateCloseReason('short'), 'short')
  const long = 'é'.repeat(100)
  const cut = truncateCloseReason(long)
  assert.ok(Buffer.byteLength(cut) <= 123)
  assert.ok(cut.endsWith('...'))
})

test('idempotency cache: TTL and per-method bound', async () => {
  // Not 0: lru-cache treats an entry stored at time 0 as having no age.
  let now = 1000
  const cache = new IdempotencyCache({ ttlMs: 100, max: 2, now: () => now })
  cache.remember('m', 'a', Promise.resolve(1))
  cache.remember('m', 'b', Promise.resolve(2))
  cache.remember('other', 'a', Promise.resolve(9))
  assert.equal(await cache.lookup('m', 'a'), 1)
  cache.remember('m', 'c', Promise.resolve(3))
  assert.equal(cache.lookup('m', 'a'), undefined, 'oldest evicted past max')
  assert.equal(await cache.lookup('other', 'a'), 9, 'keys are per method')
  now = 1100
  assert.equal(await cache.lookup('m', 'c'), 3, 'kept for its whole TTL')
  now = 1101
  assert.equal(cache.lookup('m', 'c'), undefined, 'expired')
})

test('session subscriptions', () => {
  const s = new SessionSubscriptionSet()
  assert.ok(!s.has('a'))
  s.subscribe(['b', 'a'])
  assert.deepEqual(s.list(), ['a', 'b'])
  s.unsubscribe(['a'])
  assert.ok(!s.has('a') && s.has('b'))
  s.subscribe('all')
  assert.ok(s.has('anything'))
  s.unsubscribe('all')
  assert.deepEqual(s.list(), [])
})

function fakePeer (sent: string[]): RpcPeer {
  return {
    connId: 'c',
    client: { id: 'cli', version: '1', platform: 'x', mode: 'cli' },
    role: 'operator',
    scopes: ['operator.admin'],
    scopeSet: new Set(['operator.admin']),
    caps: new Set(),
    deviceId: undefined,
    ip: '127.0.0.1',
    log: pino({ level: 'silent' }),
    sessions: new SessionSubscriptionSet(),
    state: new Map(),
    open: true,
    inflight: new Map(),
    send: (f) => { sent.push(f) },
    sendEvent: () => {},
    unauthorized: () => {}
  }
}

test('during shutdown requests are refused before dispatch, retryable', () => {
  const registry = new MethodRegistry()
  let ran = false
  registry.register('x', { scope: 'none', handler: async () => { ran = true; return {} } })
  const sent: string[] = []
  const d = new Dispatcher({ lookup: (n) => registry.get(n), dedupe: new IdempotencyCache(), log: pino({ level: 'silent' }), isClosing: () => true })
  d.dispatch(fakePeer(sent), 'r1', 'x', undefined)
  assert.equal(ran, false)
  assert.deepEqual(JSON.parse(sent[0]!), { type: 'res', id: 'r1', ok: false, error: { code: 'UNAVAILABLE', message: 'gateway closing before request dispatch', retryable: true } })
})

test('pairing store: pending → approved, atomic 0600 files, one pending request per device, corrupt files refused', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-devices-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const store = new DevicePairingStore({ stateDir: dir, now: () => 1000 })
  await store.ready()
  const a = await store.request({ deviceId: 'd1', publicKey: 'k', role: 'operator', scopes: ['operator.read'] })
  const b = await store.request({ deviceId: 'd1', publicKey: 'k', role: 'operator', scopes: ['operator.read'] })
  assert.equal(a.request.requestId, b.request.requestId)
  assert.equal(b.created, false)
  const approved = await store.approve(a.request.requestId)
  assert.deepEqual(approved?.device.scopes, ['operator.read'])
  assert.equal((await stat(path.join(dir, 'devices', 'paired.json'))).mode & 0o777, 0o600)
  assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'devices', 'pending.json'), 'utf8')), {})
  const reloaded = new DevicePairingStore({ stateDir: dir, now: () => 2000 })
  await reloaded.ready()
  assert.equal(reloaded.paired('d1')?.approvedAtMs, 1000)

  const bad = await mkdtemp(path.join(os.tmpdir(), 'ocgw-devices-'))
  t.after(() => rm(bad, { recursive: true, force: true }))
  await mkdir(path.join(bad, 'devices'))
  await writeFile(path.join(bad, 'devices', 'paired.json'), '{ nope')
  await assert.rejects(new DevicePairingStore({ stateDir: bad, now: Date.now }).ready(), { code: 'DEVICE_STORE_CORRUPT' })
})
