// Retention (`session.maintenance`): the store's cleanup planner, the
// background pass of a real gateway, and `sessions.cleanup` over WS.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createFileSessionStore, type TranscriptMessage } from '../src/sessions/index.js'
import { startTestGateway, TEST_TOKEN } from './support/gateway.js'
import { connectOk } from './support/ws-client.js'
import { waitFor } from './support/wait.js'

const DAY = 86_400_000
const ADMIN = ['operator.admin', 'operator.read', 'operator.write']

function msg (n: number, content = `message ${n}`): TranscriptMessage {
  return { id: `m${n}`, role: 'user', content, timestamp: n }
}

async function storeAt (t: TestContext) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sessions-maint-'))
  const clock = { now: 100 * DAY }
  const store = createFileSessionStore({ stateDir, clock: () => clock.now })
  t.after(async () => {
    await store.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { store, clock, dir: path.join(stateDir, 'agents', 'main', 'sessions') }
}

test('cleanup removes by age, then by count (oldest first); dry runs and protected keys keep everything', async (t) => {
  const { store, clock, dir } = await storeAt(t)
  for (let i = 0; i < 6; i++) {
    clock.now = (100 + i * 10) * DAY
    await store.append(`agent:main:s${i}`, [msg(i)])
  }
  clock.now = 160 * DAY
  const policy = { pruneAfterMs: 35 * DAY, maxEntries: 2 }
  const dry = await store.cleanup({ ...policy, dryRun: true })
  assert.deepEqual(dry.agents.map((a) => [a.pruned, a.capped, a.sessionsAfter, a.keys]), [[3, 1, 2, ['agent:main:s0', 'agent:main:s1', 'agent:main:s2', 'agent:main:s3']]])
  assert.equal((await store.list()).total, 6, 'a dry run removes nothing')

  const done = await store.cleanup({ ...policy, protect: (key) => key === 'agent:main:s0' })
  assert.deepEqual(done.agents[0]?.keys, ['agent:main:s1', 'agent:main:s2', 'agent:main:s3', 'agent:main:s4'], 'the protected key is skipped, the count cap takes the next oldest')
  assert.deepEqual((await store.list()).sessions.map((s) => s.key), ['agent:main:s5', 'agent:main:s0'])
  const transcripts = (await readdir(dir)).filter((n) => n.endsWith('.jsonl') || n.includes('.jsonl.'))
  assert.equal(transcripts.length, 2, 'removed sessions leave no transcript or archive behind')
})

test('a disk budget removes archives first, then the oldest sessions, down to the high-water mark', async (t) => {
  const { store, clock, dir } = await storeAt(t)
  const big = 'x'.repeat(10_000)
  for (let i = 0; i < 4; i++) {
    clock.now = (100 + i) * DAY
    await store.append(`agent:main:d${i}`, [msg(i, big)])
  }
  await store.reset('agent:main:d3')
  await store.append('agent:main:d3', [msg(9)])
  assert.ok((await readdir(dir)).some((n) => n.includes('.jsonl.reset-')), 'the reset left an archive')
  // Three live ~10 kB transcripts, one ~10 kB reset archive, a small transcript and the index files: ~42 kB.
  const report = await store.cleanup({ maxDiskBytes: 30_000, highWaterBytes: 25_000 })
  const a = report.agents[0]!
  assert.equal(a.archivesRemoved, 1)
  assert.deepEqual(a.keys, ['agent:main:d0'], 'then the oldest live session')
  assert.ok(a.diskBytesBefore! > 40_000 && a.diskBytesAfter! <= 25_000, `${a.diskBytesBefore} → ${a.diskBytesAfter}`)
  assert.ok(!(await readdir(dir)).some((n) => n.includes('.reset-')))
})

test('session.maintenance runs a background pass with one log line; sessions.cleanup and list paging over WS', async (t) => {
  let now = 10 * DAY
  const gw = await startTestGateway({
    captureLogs: true,
    now: () => now,
    config: { session: { maintenance: { pruneAfter: '7d', maxEntries: 3, maxDiskBytes: false } } },
    beforeListen: async (app) => {
      await app.sessions.append('agent:main:ancient', [msg(0)])
      for (let i = 0; i < 5; i++) {
        now = 20 * DAY + i
        await app.sessions.append(`agent:main:recent${i}`, [msg(i)])
      }
      now = 21 * DAY
    }
  })
  t.after(() => gw.close())
  await waitFor('the background pass', () => gw.logs.some((l) => l.msg === 'session maintenance pass'))
  const passes = gw.logs.filter((l) => l.msg === 'session maintenance pass')
  assert.equal(passes.length, 1)
  assert.deepEqual([passes[0]!.removed, passes[0]!.pruned, passes[0]!.capped, passes[0]!.mode], [3, 1, 2, 'enforce'])

  const { client } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ADMIN })
  t.after(() => client.close())
  const first = await client.request('sessions.list', { limit: 2 })
  assert.deepEqual(first.payload.sessions.map((s: { key: string }) => s.key), ['agent:main:recent4', 'agent:main:recent3'])
  assert.equal(first.payload.totalCount, 3)
  const second = await client.request('sessions.list', { limit: 2, cursor: first.payload.nextCursor })
  assert.deepEqual([second.payload.sessions.map((s: { key: string }) => s.key), second.payload.hasMore], [['agent:main:recent2'], false])
  const bad = await client.request('sessions.list', { cursor: 'garbage' })
  assert.equal(bad.ok, false)
  assert.equal(bad.error.details.code, 'SESSION_INVALID_OPTIONS')

  now = 40 * DAY
  const dry = await client.request('sessions.cleanup', { dryRun: true, agent: 'main', activeKey: 'agent:main:recent2' })
  assert.equal(dry.ok, true, JSON.stringify(dry.error))
  assert.deepEqual([dry.payload.dryRun, dry.payload.removed, dry.payload.agents[0].keys], [true, 2, ['agent:main:recent3', 'agent:main:recent4']])
  const real = await client.request('sessions.cleanup', { allAgents: true })
  assert.deepEqual([real.payload.dryRun, real.payload.removed], [false, 3])
  assert.equal((await client.request('sessions.list', {})).payload.totalCount, 0)
  const unknown = await client.request('sessions.cleanup', { bogus: true })
  assert.equal(unknown.ok, false, 'params are strict')
})

test('in "warn" mode the background pass only reports what it would remove', async (t) => {
  let now = 10 * DAY
  const gw = await startTestGateway({
    captureLogs: true,
    now: () => now,
    config: { session: { maintenance: { mode: 'warn', pruneAfter: '1d' } } },
    beforeListen: async (app) => {
      await app.sessions.append('agent:main:old', [msg(0)])
      now = 20 * DAY
    }
  })
  t.after(() => gw.close())
  await waitFor('the background pass', () => gw.logs.some((l) => l.msg === 'session maintenance pass'))
  const pass = gw.logs.find((l) => l.msg === 'session maintenance pass')!
  assert.deepEqual([pass.mode, pass.dryRun, pass.removed, pass.pruned], ['warn', true, 1, 1])
  assert.equal((await gw.app.sessions.list()).total, 1, 'nothing was removed')
})
