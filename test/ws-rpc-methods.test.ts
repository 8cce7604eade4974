// The core methods ws-rpc registers: status (with extenders), identity,
// system info, and logs.tail's cursor / limit / maxBytes / reset semantics.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startTestGateway, type TestGatewayOptions } from './support/gateway.js'
import { connectOk, type TestClient } from './support/ws-client.js'

async function session (t: TestContext, opts: TestGatewayOptions = {}): Promise<{ client: TestClient, port: number }> {
  const gw = await startTestGateway(opts)
  t.after(() => gw.close())
  const { client } = await connectOk(gw.url, { token: gw.token })
  t.after(() => { client.close() })
  return { client, port: gw.port }
}

async function logDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-logs-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const line = (i: number) => JSON.stringify({ time: i, msg: `line ${i}` })

test('status: gateway facts, connection count, and what extenders add', async (t) => {
  const { client, port } = await session(t, {
    beforeListen: (app) => { app.rpc.extendStatus(async (ctx) => ({ sessions: { count: 7 }, caller: ctx.connId.length > 0, gateway: 'ignored' })) }
  })
  const { payload } = await client.request('status', {})
  assert.equal(payload.gateway.version, '0.0.0-test')
  assert.equal(payload.gateway.port, port)
  assert.equal(payload.gateway.bind, 'loopback')
  assert.equal(payload.gateway.authMode, 'token')
  assert.equal(payload.connections.count, 1)
  assert.deepEqual(payload.sessions, { count: 7 })
  assert.equal(payload.caller, true)
})

test('gateway.identity.get and system.info', async (t) => {
  const { client } = await session(t)
  const id = (await client.request('gateway.identity.get', {})).payload
  assert.equal(id.version, '0.0.0-test')
  assert.equal(id.protocol, 4)
  assert.match(id.bootId, /^[0-9a-f-]{36}$/)
  const info = (await client.request('system.info', {})).payload
  assert.equal(info.node, process.version)
  assert.ok(info.memory.rssBytes > 0)
})

test('logs.tail without a cursor returns the tail, whole lines only, and a cursor to follow', async (t) => {
  const file = path.join(await logDir(t), 'gw.log')
  await writeFile(file, Array.from({ length: 50 }, (_v, i) => line(i) + '\n').join('') + '{"partial":')
  const { client } = await session(t, { logFile: () => file })
  const first = (await client.request('logs.tail', { limit: 10 })).payload
  assert.equal(first.file, file)
  assert.deepEqual(first.lines, Array.from({ length: 10 }, (_v, i) => line(40 + i)))
  assert.equal(first.truncated, true)
  const size = first.size as number
  assert.equal(first.cursor, size - '{"partial":'.length, 'the unterminated record waits for the next call')

  await appendFile(file, '"yes"}\n' + line(50) + '\n')
  const next = (await client.request('logs.tail', { cursor: first.cursor })).payload
  assert.deepEqual(next.lines, ['{"partial":"yes"}', line(50)])
  assert.equal(next.reset, undefined)
  assert.equal(next.cursor, next.size)
  const idle = (await client.request('logs.tail', { cursor: next.cursor })).payload
  assert.deepEqual(idle.lines, [])
})

test('logs.tail maxBytes drops the leading fragment; a far-behind cursor skips ahead with skippedBytes', async (t) => {
  const file = path.join(await logDir(t), 'gw.log')
  await writeFile(file, Array.from({ length: 100 }, (_v, i) => line(i) + '\n').join(''))
  const { client } = await session(t, { logFile: () => file })
  const small = (await client.request('logs.tail', { maxBytes: 100 })).payload
  assert.ok(small.lines.length >= 1 && small.lines.length <= 3)
  for (const l of small.lines) assert.doesNotThrow(() => JSON.parse(l))
  assert.equal(small.truncated, true)

  const behind = (await client.request('logs.tail', { cursor: 0, maxBytes: 200 })).payload
  assert.equal(behind.reset, true)
  assert.equal(behind.truncated, true)
  assert.equal(behind.skippedBytes, behind.size - 200)
})

test('logs.tail resets when the file shrank or was replaced under the same name', async (t) => {
  const dir = await logDir(t)
  const file = path.join(dir, 'gw.log')
  await writeFile(file, Array.from({ length: 20 }, (_v, i) => line(i) + '\n').join(''))
  const { client } = await session(t, { logFile: () => file })
  const first = (await client.request('logs.tail', {})).payload

  await writeFile(file, line(100) + '\n')
  const shrunk = (await client.request('logs.tail', { cursor: first.cursor })).payload
  assert.equal(shrunk.reset, true)
  assert.deepEqual(shrunk.lines, [line(100)])

  // Rotated: a new, longer file takes the name; the old cursor would fit, but it is another file.
  await rename(file, `${file}.1`)
  await writeFile(file, Array.from({ length: 40 }, (_v, i) => line(200 + i) + '\n').join(''))
  const rotated = (await client.request('logs.tail', { cursor: shrunk.cursor })).payload
  assert.equal(rotated.reset, true)
  assert.equal(rotated.lines[0], line(200))
})

test('logs.tail follows a change of file name (daily files) with reset', async (t) => {
  const dir = await logDir(t)
  let current = path.join(dir, 'day-1.log')
  await writeFile(current, line(1) + '\n' + line(2) + '\n')
  const { client } = await session(t, { logFile: () => current })
  const first = (await client.request('logs.tail', {})).payload
  current = path.join(dir, 'day-2.log')
  await writeFile(current, line(3) + '\n' + line(4) + '\n' + line(5) + '\n')
  const next = (await client.request('logs.tail', { cursor: first.cursor })).payload
  assert.equal(next.file, current)
  assert.equal(next.reset, true)
  assert.deepEqual(next.lines, [line(3), line(4), line(5)])
})

test('logs.tail on a missing file is empty; without file logging it is UNAVAILABLE', async (t) => {
  const dir = await logDir(t)
  const { client } = await session(t, { logFile: () => path.join(dir, 'none.log') })
  assert.deepEqual((await client.request('logs.tail', {})).payload, { file: path.join(dir, 'none.log'), cursor: 0, size: 0, lines: [] })
  const off = await session(t)
  assert.equal((await off.client.request('logs.tail', {})).error.code, 'UNAVAILABLE')
})

test('results: a snapshotResult method sends each new snapshot; others are serialized on every call', async (t) => {
  let snapshot = { n: 1 }
  const shared = { n: 1 }
  const { client } = await session(t, {
    beforeListen: (app) => {
      app.rpc.register('test.snapshot', { scope: 'none', snapshotResult: true, handler: async () => snapshot })
      app.rpc.register('test.shared', { scope: 'none', handler: async () => shared })
    }
  })
  assert.deepEqual((await client.request('test.snapshot', {})).payload, { n: 1 })
  assert.deepEqual((await client.request('test.snapshot', {})).payload, { n: 1 })
  snapshot = { n: 2 }
  assert.deepEqual((await client.request('test.snapshot', {})).payload, { n: 2 })
  // The same object, changed in between: without snapshotResult nothing is reused.
  assert.deepEqual((await client.request('test.shared', {})).payload, { n: 1 })
  shared.n = 2
  assert.deepEqual((await client.request('test.shared', {})).payload, { n: 2 })
})
