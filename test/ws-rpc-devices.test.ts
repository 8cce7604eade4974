// Device identity over a real socket: a client that signs the challenge like
// OpenClaw's CLI (v3, and the older v2), every DEVICE_AUTH_* refusal, silent
// loopback pairing, and the remote pairing flow with approve / reject events.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyRequest } from 'fastify'
import { createDeviceIdentity } from '../src/devices/client.js'
import { build, type TestGatewayOptions } from './support/gateway.js'
import { connect, connectOk, type ConnectOptions } from './support/ws-client.js'

/** Requests carrying x-test-remote: 1 count as remote. */
const gateway = async (t: TestContext, opts: TestGatewayOptions = {}) => await build(t, { ...opts, wsRpc: { isLocalClient: (r: FastifyRequest) => r.headers['x-test-remote'] !== '1', ...opts.wsRpc } })
const REMOTE = { headers: { 'x-test-remote': '1' } }

test('a v3-signed CLI device on loopback is paired silently and persisted with mode 0600', async (t) => {
  const gw = await gateway(t)
  const identity = createDeviceIdentity()
  const { client, hello } = await connectOk(gw.url, { token: gw.token, identity, scopes: ['operator.read', 'operator.write'] })
  t.after(() => { client.close() })
  assert.deepEqual(hello.auth.scopes, ['operator.read', 'operator.write'])
  const file = path.join(gw.stateDir, 'devices', 'paired.json')
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  const paired = JSON.parse(await readFile(file, 'utf8')) as Record<string, { publicKey: string, scopes: string[], roles: string[] }>
  assert.equal(paired[identity.deviceId]?.publicKey, identity.publicKey)
  assert.deepEqual(paired[identity.deviceId]?.scopes, ['operator.read', 'operator.write'])
  assert.deepEqual(paired[identity.deviceId]?.roles, ['operator'])
  // Asking for nothing later gets the approved scopes back.
  const again = await connectOk(gw.url, { token: gw.token, identity })
  t.after(() => { again.client.close() })
  assert.deepEqual(again.hello.auth.scopes, ['operator.read', 'operator.write'])
})

test('v2 signatures (no platform/family) are still accepted', async (t) => {
  const gw = await gateway(t)
  const { client } = await connectOk(gw.url, { token: gw.token, identity: createDeviceIdentity(), signVersion: 'v2', scopes: ['operator.read'] })
  client.close()
})

async function refusal (t: TestContext, o: Omit<ConnectOptions, 'token' | 'identity'>): Promise<{ error: Record<string, any>, closed: { code: number, reason: string } }> {
  const gw = await gateway(t)
  const { client, res } = await connect(gw.url, { token: gw.token, identity: createDeviceIdentity(), scopes: ['operator.read'], ...o })
  return { error: res.error, closed: await client.closed }
}

test('a forged signature is refused with DEVICE_AUTH_SIGNATURE_INVALID', async (t) => {
  const { error, closed } = await refusal(t, { tamper: (d) => { d.signature = Buffer.alloc(64, 7).toString('base64url') } })
  assert.deepEqual(error, { code: 'INVALID_REQUEST', message: 'device signature invalid', details: { code: 'DEVICE_AUTH_SIGNATURE_INVALID', reason: 'device-signature' } })
  assert.deepEqual(closed, { code: 1008, reason: 'device signature invalid' })
})

test('a field changed after signing invalidates the signature', async (t) => {
  const gw = await gateway(t)
  const { client, res: bad } = await connect(gw.url, { token: gw.token, identity: createDeviceIdentity(), scopes: ['operator.read'], tamper: (d) => { d.signedAt += 1 } })
  assert.equal(bad.error.details.code, 'DEVICE_AUTH_SIGNATURE_INVALID')
  await client.closed
})

test('a stale signature is refused with DEVICE_AUTH_SIGNATURE_EXPIRED', async (t) => {
  const { error, closed } = await refusal(t, { signedAtMs: Date.now() - 10 * 60_000 })
  assert.deepEqual(error.details, { code: 'DEVICE_AUTH_SIGNATURE_EXPIRED', reason: 'device-signature-stale' })
  assert.equal(error.message, 'device signature expired')
  assert.equal(closed.code, 1008)
})

test('a signature over another nonce is refused with DEVICE_AUTH_NONCE_MISMATCH', async (t) => {
  const { error } = await refusal(t, { nonce: '00000000-0000-4000-8000-000000000000' })
  assert.deepEqual(error, { code: 'INVALID_REQUEST', message: 'device nonce mismatch', details: { code: 'DEVICE_AUTH_NONCE_MISMATCH', reason: 'device-nonce-mismatch' } })
})

test('a device id that is not the key hash is refused with DEVICE_AUTH_DEVICE_ID_MISMATCH', async (t) => {
  const { error } = await refusal(t, { tamper: (d) => { d.id = createDeviceIdentity().deviceId } })
  assert.deepEqual(error.details, { code: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', reason: 'device-id-mismatch' })
  assert.equal(error.message, 'device identity mismatch')
})

test('a malformed public key is refused with DEVICE_AUTH_PUBLIC_KEY_INVALID', async (t) => {
  const { error } = await refusal(t, { tamper: (d) => { d.publicKey = 'AAAA' } })
  assert.deepEqual(error.details, { code: 'DEVICE_AUTH_PUBLIC_KEY_INVALID', reason: 'device-public-key' })
})

test('node connections need a device identity', async (t) => {
  const gw = await gateway(t)
  const { client, res } = await connect(gw.url, { token: gw.token, role: 'node', mode: 'node', clientId: 'node-host' })
  assert.deepEqual(res.error, { code: 'NOT_PAIRED', message: 'device identity required', details: { code: 'DEVICE_IDENTITY_REQUIRED' } })
  assert.deepEqual(await client.closed, { code: 1008, reason: 'device identity required' })
})

test('remote pairing: request, device.pair.requested, approve, device.pair.resolved, then hello-ok', async (t) => {
  const gw = await gateway(t)
  const admin = await connectOk(gw.url, { token: gw.token, clientId: 'openclaw-control-ui', mode: 'webchat' })
  const reader = await connectOk(gw.url, { token: gw.token, scopes: ['operator.read'] })
  t.after(() => { admin.client.close(); reader.client.close() })
  const identity = createDeviceIdentity()
  const device = { token: gw.token, identity, scopes: ['operator.read'], displayName: 'laptop' }

  const first = await connect(gw.url, device, REMOTE)
  const requestId = first.res.error.details.requestId as string
  assert.deepEqual(first.res.error, { code: 'NOT_PAIRED', message: 'device pairing required', details: { code: 'PAIRING_REQUIRED', reason: 'not-paired', requestId } })
  assert.deepEqual(await first.client.closed, { code: 1008, reason: `pairing required: device is not approved yet (requestId: ${requestId})` })

  const requested = await admin.client.event('device.pair.requested')
  assert.equal(requested.payload.requestId, requestId)
  assert.equal(requested.payload.deviceId, identity.deviceId)
  assert.equal(requested.payload.displayName, 'laptop')
  assert.equal(typeof requested.seq, 'number')
  const list = await admin.client.request('device.pair.list', {})
  assert.deepEqual(list.payload.pending.map((p: { requestId: string }) => p.requestId), [requestId])
  const pendingFile = JSON.parse(await readFile(path.join(gw.stateDir, 'devices', 'pending.json'), 'utf8')) as Record<string, unknown>
  assert.ok(requestId in pendingFile)

  // Pairing needs operator.pairing; the reader neither sees the event nor may approve.
  assert.equal((await reader.client.request('device.pair.approve', { requestId })).error.message, 'missing scope: operator.pairing')
  const approved = await admin.client.request('device.pair.approve', { requestId })
  assert.equal(approved.payload.device.deviceId, identity.deviceId)
  const resolved = await admin.client.event('device.pair.resolved')
  assert.equal(resolved.payload.decision, 'approved')
  assert.equal(resolved.payload.requestId, requestId)
  assert.ok(!reader.client.frames.some((f) => f.event === 'device.pair.requested' || f.event === 'device.pair.resolved'))

  const second = await connectOk(gw.url, device, REMOTE)
  t.after(() => { second.client.close() })
  assert.deepEqual(second.hello.auth.scopes, ['operator.read'])
  assert.equal((await admin.client.request('device.pair.approve', { requestId })).error.message, 'unknown requestId')
})

test('remote pairing: a rejected request leaves the device unpaired', async (t) => {
  const gw = await gateway(t)
  const admin = await connectOk(gw.url, { token: gw.token })
  t.after(() => { admin.client.close() })
  const device = { token: gw.token, identity: createDeviceIdentity(), scopes: ['operator.read'] }
  const first = await connect(gw.url, device, REMOTE)
  const requestId = first.res.error.details.requestId as string
  const rejected = await admin.client.request('device.pair.reject', { requestId })
  assert.deepEqual(rejected.payload, { requestId, deviceId: device.identity.deviceId })
  assert.equal((await admin.client.event('device.pair.resolved')).payload.decision, 'rejected')
  const again = await connect(gw.url, device, REMOTE)
  assert.equal(again.res.error.details.code, 'PAIRING_REQUIRED')
  assert.notEqual(again.res.error.details.requestId, requestId)
})

test('a paired device asking for more scopes needs a scope upgrade when remote', async (t) => {
  const gw = await gateway(t)
  const identity = createDeviceIdentity()
  // Paired on loopback with read only.
  const { client } = await connectOk(gw.url, { token: gw.token, identity, scopes: ['operator.read'] })
  client.close()
  const remoteRead = await connectOk(gw.url, { token: gw.token, identity, scopes: ['operator.read'] }, REMOTE)
  remoteRead.client.close()
  const { res } = await connect(gw.url, { token: gw.token, identity, scopes: ['operator.admin'] }, REMOTE)
  assert.equal(res.error.code, 'NOT_PAIRED')
  assert.equal(res.error.message, 'scope upgrade pending approval')
  assert.equal(res.error.details.reason, 'scope-upgrade')
  // On loopback the same upgrade is approved silently.
  const local = await connectOk(gw.url, { token: gw.token, identity, scopes: ['operator.admin'] })
  local.client.close()
  assert.deepEqual(local.hello.auth.scopes, ['operator.admin'])
})

test('the shared secret is still required with a device identity', async (t) => {
  const gw = await gateway(t)
  const { res } = await connect(gw.url, { token: 'wrong', identity: createDeviceIdentity() })
  assert.equal(res.error.details.code, 'AUTH_TOKEN_MISMATCH')
})
