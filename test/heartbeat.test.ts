// Agent heartbeats: the settings and verdict helpers, and the runner inside a
// real gateway with hand-driven timers (no real waiting): interval beats,
// HEARTBEAT.md, queued wake texts, the suppressed HEARTBEAT_OK, quiet hours,
// set-heartbeats, config rebuilds and release on close.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { effectivelyEmpty, heartbeatAck, heartbeatSettings, parseEvery, withinActiveHours, DEFAULT_HEARTBEAT_PROMPT } from '../src/agents/heartbeat.js'
import type { HeartbeatTimers } from '../src/agents/heartbeat-runner.js'
import { openAiChatFrames, type FakeUpstream } from './support/fake-upstream.js'
import { TEST_TOKEN } from './support/gateway.js'
import { startHttpGateway } from './support/http-gateway.js'
import { connectOk, type TestClient } from './support/ws-client.js'

class ManualTimers implements HeartbeatTimers {
  readonly pending = new Map<number, { fn: () => void, ms: number }>()
  private next = 1
  setTimeout = (fn: () => void, ms: number): unknown => { const id = this.next++; this.pending.set(id, { fn, ms }); return id }
  clearTimeout = (handle: unknown): void => { this.pending.delete(handle as number) }
  delays (): number[] { return [...this.pending.values()].map((p) => p.ms) }
  /** Fires every pending timer, as if their time had come. */
  fire (): void {
    const due = [...this.pending.values()]
    this.pending.clear()
    for (const p of due) p.fn()
  }
}

test('settings: entry keys over defaults; on only with an interval above zero', () => {
  assert.equal(parseEvery('30m'), 1_800_000)
  assert.equal(parseEvery('1.5h'), 5_400_000)
  assert.equal(parseEvery('45s'), 45_000)
  assert.equal(parseEvery('10'), 600_000, 'a bare number is minutes')
  assert.equal(parseEvery('soon'), null)
  const config = { agents: { defaults: { heartbeat: { every: '30m', ackMaxChars: 10 } }, entries: { main: {}, quiet: { heartbeat: { every: '0m' } }, ops: { heartbeat: { every: '5m', prompt: 'Check ops.' } } } } }
  assert.deepEqual(heartbeatSettings(config, 'main'), { enabled: true, every: '30m', everyMs: 1_800_000, prompt: DEFAULT_HEARTBEAT_PROMPT, target: 'last', session: undefined, model: undefined, ackMaxChars: 10, activeHours: undefined })
  assert.equal(heartbeatSettings(config, 'quiet').enabled, false)
  assert.equal(heartbeatSettings(config, 'ops').prompt, 'Check ops.')
  assert.equal(heartbeatSettings(config, 'ops').everyMs, 300_000)
  assert.equal(heartbeatSettings({}, 'main').enabled, false, 'nothing configured: no heartbeats')
})

test('active hours in a zone, windows past midnight, and the ack rule', () => {
  const at = (iso: string) => Date.parse(iso)
  const day = { start: '08:00', end: '20:00', timezone: 'UTC' }
  assert.equal(withinActiveHours(day, at('2026-01-01T08:00:00Z')), true)
  assert.equal(withinActiveHours(day, at('2026-01-01T20:00:00Z')), false)
  assert.equal(withinActiveHours(day, at('2026-01-01T03:00:00Z')), false)
  assert.equal(withinActiveHours({ start: '08:00', end: '20:00', timezone: 'Asia/Tokyo' }, at('2026-01-01T03:00:00Z')), true, '12:00 in Tokyo')
  const night = { start: '22:00', end: '06:00', timezone: 'UTC' }
  assert.equal(withinActiveHours(night, at('2026-01-01T23:30:00Z')), true)
  assert.equal(withinActiveHours(night, at('2026-01-01T05:59:00Z')), true)
  assert.equal(withinActiveHours(night, at('2026-01-01T12:00:00Z')), false)
  assert.equal(withinActiveHours(undefined, 0), true)
  assert.deepEqual(heartbeatAck('HEARTBEAT_OK', 300), { ack: true, rest: '' })
  assert.deepEqual(heartbeatAck('**HEARTBEAT_OK**', 300), { ack: true, rest: '' })
  assert.deepEqual(heartbeatAck('All quiet. HEARTBEAT_OK', 300), { ack: true, rest: 'All quiet.' })
  assert.deepEqual(heartbeatAck('HEARTBEAT_OK but the disk is full', 5), { ack: false, rest: 'but the disk is full' })
  assert.deepEqual(heartbeatAck('The disk is full', 300), { ack: false, rest: 'The disk is full' })
  assert.equal(effectivelyEmpty('# Heartbeat\n\n- [ ]\n'), true)
  assert.equal(effectivelyEmpty('# Heartbeat\n- check the backups\n'), false)
})

async function setup (t: TestContext, heartbeat: Record<string, unknown>, opts: { heartbeatFile?: string, now?: () => number } = {}) {
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'ocgw-hb-'))
  t.after(async () => { await rm(workspace, { recursive: true, force: true }) })
  if (opts.heartbeatFile !== undefined) await writeFile(path.join(workspace, 'HEARTBEAT.md'), opts.heartbeatFile)
  const timers = new ManualTimers()
  const h = await startHttpGateway(t, {
    heartbeat: { timers },
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    config: (up) => ({ agents: { defaults: { model: 'fake/echo', workspace, heartbeat }, entries: { main: { default: true } } }, models: { providers: { fake: { baseUrl: up.openaiBaseUrl, api: 'openai-completions', apiKey: 'sk-test', models: [{ id: 'echo' }] } } } })
  })
  const { client } = await connectOk(h.gw.url, { token: TEST_TOKEN, scopes: ['operator.admin', 'operator.read', 'operator.write'] })
  t.after(() => { client.close() })
  return { ...h, timers, client, workspace }
}

const heartbeats = (c: TestClient) => c.frames.filter((f) => f.type === 'event' && f.event === 'heartbeat').map((f) => f.payload)
const nthHeartbeat = async (c: TestClient, n: number) => {
  let seen = 0
  return (await c.next((f) => f.type === 'event' && f.event === 'heartbeat' && ++seen === n, 5000)).payload
}
const lastUserText = (up: FakeUpstream) => {
  const msgs = up.lastRequest().body.messages as Array<{ role: string, content: string }>
  return msgs.filter((m) => m.role === 'user').map((m) => m.content).join('\n---\n')
}

async function waitFor (what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + 5000
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('an interval heartbeat: prompt plus HEARTBEAT.md plus queued wake texts; HEARTBEAT_OK is suppressed, a real reply is sent', async (t) => {
  const { timers, client, upstream } = await setup(t, { every: '1m' }, { heartbeatFile: '# Heartbeat\n- check the backups\n' })
  assert.deepEqual(timers.delays(), [60_000], 'one timer for the one agent')
  const queued = await client.request('wake', { mode: 'next-heartbeat', text: 'deploy done' })
  assert.equal(queued.payload.eventOutcome, 'queued')
  assert.equal((await client.request('wake', { mode: 'next-heartbeat', text: 'deploy done' })).payload.eventOutcome, 'coalesced')
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'HEARTBEAT_OK' }) })
  timers.fire()
  const first = await nthHeartbeat(client, 1)
  assert.equal(first.status, 'ok-token')
  assert.equal(first.agentId, 'main')
  assert.equal(first.sessionKey, 'agent:main:main')
  assert.equal(first.preview, undefined, 'nothing delivered')
  assert.equal(typeof first.durationMs, 'number')
  const sent = lastUserText(upstream)
  assert.match(sent, /\[System event\] deploy done/)
  assert.equal(sent.match(/deploy done/g)?.length, 1)
  assert.match(sent, /If nothing needs attention, reply HEARTBEAT_OK\.\n\n## HEARTBEAT\.md\n\n# Heartbeat\n- check the backups/)
  assert.deepEqual((await client.request('last-heartbeat', {})).payload, first)
  // The next beat is scheduled once this one is over.
  await waitFor('the next timer', () => timers.pending.size === 1)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'The backup from last night failed.' }) })
  timers.fire()
  const second = await nthHeartbeat(client, 2)
  assert.equal(second.status, 'sent')
  assert.equal(second.preview, 'The backup from last night failed.')
  assert.doesNotMatch(lastUserText(upstream).split('---').at(-1)!, /deploy done/, 'the event was consumed by the first beat')
})

test('wake now runs a heartbeat at once; an empty HEARTBEAT.md skips interval beats with nothing queued', async (t) => {
  const { timers, client, upstream } = await setup(t, { every: '5m' }, { heartbeatFile: '# Heartbeat\n\n' })
  timers.fire()
  const skipped = await nthHeartbeat(client, 1)
  assert.deepEqual({ status: skipped.status, reason: skipped.reason }, { status: 'skipped', reason: 'empty-heartbeat-file' })
  assert.equal(upstream.requests.length, 0)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'Noted: build finished.' }) })
  const res = await client.request('wake', { mode: 'now', text: 'build finished' })
  assert.equal(res.payload.mode, 'now')
  assert.equal(typeof res.payload.runId, 'string')
  const ran = await nthHeartbeat(client, 2)
  assert.equal(ran.status, 'sent')
  assert.match(lastUserText(upstream), /\[System event\] build finished/)
})

test('outside active hours an interval beat is skipped', async (t) => {
  const { timers, client, upstream } = await setup(t, { every: '30m', activeHours: { start: '08:00', end: '20:00', timezone: 'UTC' } }, { now: () => Date.parse('2026-01-01T03:00:00Z') })
  timers.fire()
  const ev = await nthHeartbeat(client, 1)
  assert.deepEqual({ status: ev.status, reason: ev.reason }, { status: 'skipped', reason: 'quiet-hours' })
  assert.equal(upstream.requests.length, 0)
})

test('set-heartbeats stops and restarts the timers; a config change rebuilds them; close releases them', async (t) => {
  const { timers, client, gw, setConfig } = await setup(t, { every: '1m' })
  assert.deepEqual(timers.delays(), [60_000])
  const off = await client.request('set-heartbeats', { enabled: false })
  assert.deepEqual(off.payload, { ok: true, enabled: false })
  assert.equal(timers.pending.size, 0)
  await client.request('set-heartbeats', { enabled: true })
  assert.deepEqual(timers.delays(), [60_000])
  const config = gw.app.configStore.config
  setConfig({ ...config, agents: { ...config.agents, defaults: { ...config.agents!.defaults, heartbeat: { every: '2h' } } } })
  assert.deepEqual(timers.delays(), [7_200_000])
  setConfig({ ...config, agents: { ...config.agents, defaults: { ...config.agents!.defaults, heartbeat: undefined } } })
  assert.equal(timers.pending.size, 0, 'no heartbeat configured: no timer')
  setConfig(config)
  assert.equal((await client.request('health', { probe: true })).payload.heartbeatSeconds, 60)
  assert.deepEqual((await client.request('status', {})).payload.heartbeat, { enabled: true, agents: [{ agentId: 'main', every: '1m', everyMs: 60_000 }], last: null })
  const { client: reader } = await connectOk(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] })
  t.after(() => { reader.close() })
  const denied = await reader.request('set-heartbeats', { enabled: false })
  assert.equal(denied.ok, false)
  assert.equal(timers.pending.size, 1)
  assert.equal((await reader.request('last-heartbeat', {})).payload, null)
  await gw.close()
  assert.equal(timers.pending.size, 0)
  assert.equal(heartbeats(client).length, 0)
})

test('a heartbeat that only acknowledges leaves no trace: not in the transcript, no agent/chat events; a real reply is kept and published', async (t) => {
  const { client, upstream, gw } = await setup(t, { every: '30m' })
  const history = async () => await gw.app.sessions.history('agent:main:main', { limit: 50 })
  const runFrames = (runId: string) => client.frames.filter((f) => f.type === 'event' && (f.event === 'agent' || f.event === 'chat') && f.payload?.runId === runId)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: '**HEARTBEAT_OK**' }) })
  const quiet = await client.request('wake', { mode: 'now', text: 'anything?' })
  assert.equal((await nthHeartbeat(client, 1)).status, 'ok-token')
  assert.equal(upstream.requests.length, 1, 'the model was asked')
  assert.deepEqual(await history(), [], 'the acknowledged turn is pruned')
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'The disk is 95% full.' }) })
  const loud = await client.request('wake', { mode: 'now', text: 'check disks' })
  assert.equal((await nthHeartbeat(client, 2)).status, 'sent')
  await client.next((f) => f.type === 'event' && f.event === 'chat' && f.payload?.runId === loud.payload.runId && f.payload?.state === 'final', 5000)
  assert.deepEqual(runFrames(quiet.payload.runId), [], 'no live events of the pruned turn reached the client')
  const kept = await history()
  assert.deepEqual(kept.map((m: { role: string }) => m.role), ['user', 'user', 'assistant'])
  assert.match(JSON.stringify(kept), /check disks[\s\S]*The disk is 95% full\./)
  assert.doesNotMatch(JSON.stringify(kept), /anything\?/)
})
