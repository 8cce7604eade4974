// What survives a restart of a real gateway process: the last heartbeat
// (`last-heartbeat`, `status`) and the hook counters (`hooks.status`, `health`),
// from small JSON files in the state dir; and `health.agents[].heartbeat`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { baseConfig, freePort, makeHome, spawnGateway } from './support/spawn-gateway.js'
import { connectOk } from './support/ws-client.js'
import { openAiChatFrames, startFakeUpstream } from './support/fake-upstream.js'

const TOKEN = 'state-test-token-123456'
const HOOK_TOKEN = 'state-test-hook-token-789'

test('the last heartbeat and the hook counters survive a restart; health.agents carries each agent\'s heartbeat', { timeout: 90_000 }, async (t) => {
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const probe = await makeHome(t, null)
  const home = await makeHome(t, baseConfig(probe, {
    gateway: { auth: { token: TOKEN } },
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo', heartbeat: { every: '2h', ackMaxChars: 20 } }, entries: { main: { default: true }, ops: { heartbeat: { every: '0m' } } } },
    hooks: { enabled: true, token: HOOK_TOKEN }
  }))
  const port = await freePort()
  const hook = async (body: unknown, token = HOOK_TOKEN) => await fetch(`http://127.0.0.1:${port}/hooks/wake`, {
    method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000)
  })

  const first = spawnGateway(home, ['--port', String(port)])
  await first.listening()
  assert.equal((await hook({ text: 'queued', mode: 'next-heartbeat' })).status, 200)
  assert.equal((await hook({ text: 'x' }, 'wrong-token')).status, 401)
  assert.equal((await hook({ bogus: true })).status, 400)
  const { client } = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.admin', 'operator.read', 'operator.write'] })
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: 'The backup failed.' }) })
  await client.request('wake', { mode: 'now', text: 'check the backups' })
  const beat = (await client.next((f) => f.event === 'heartbeat', 10_000)).payload
  assert.equal(beat.status, 'sent')
  assert.equal(beat.preview, 'The backup failed.')
  const health = (await client.request('health', { probe: true })).payload
  const byId = Object.fromEntries(health.agents.map((a: { agentId: string }) => [a.agentId, a]))
  assert.deepEqual(byId.main.heartbeat, { enabled: true, every: '2h', everyMs: 7_200_000, prompt: byId.main.heartbeat.prompt, target: 'last', ackMaxChars: 20 })
  assert.match(byId.main.heartbeat.prompt, /HEARTBEAT_OK/)
  assert.equal(byId.main.isDefault, true)
  assert.equal(byId.main.sessions.count, 1, 'the heartbeat turn is on the main session')
  assert.equal(byId.ops.heartbeat.enabled, false)
  assert.equal(byId.ops.heartbeat.everyMs, 0)
  client.close()
  first.signal('SIGTERM')
  assert.equal((await first.waitExit()).code, 0)
  const onDisk = JSON.parse(await readFile(path.join(home.stateDir, 'hooks-state.json'), 'utf8'))
  assert.deepEqual(onDisk, { version: 1, deliveries: 1, failures: 1, authFailures: 1 })

  const second = spawnGateway(home, ['--port', String(port)])
  t.after(() => second.kill())
  await second.listening()
  const { client: again } = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.read'] })
  t.after(() => { again.close() })
  assert.deepEqual((await again.request('last-heartbeat', {})).payload, beat)
  assert.deepEqual((await again.request('status', {})).payload.heartbeat.last, beat)
  const status = (await again.request('hooks.status', {})).payload
  assert.deepEqual({ deliveries: status.deliveries, failures: status.failures, authFailures: status.authFailures }, { deliveries: 1, failures: 1, authFailures: 1 })
  assert.equal((await hook({ text: 'after restart', mode: 'next-heartbeat' })).status, 200)
  assert.equal((await again.request('health', { probe: true })).payload.hooks.deliveries, 2, 'counting goes on from the saved figures')
})
