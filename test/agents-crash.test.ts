// SIGKILL a real gateway process mid-reply: the next start serves a
// consistent transcript (every completed message, no torn line) and goes on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { baseConfig, freePort, makeHome, spawnGateway } from './support/spawn-gateway.js'
import { connectOk } from './support/ws-client.js'
import { startFakeUpstream, openAiChatFrames } from './support/fake-upstream.js'

const TOKEN = 'crash-test-token-123456'

test('a gateway killed mid-run restarts with an intact transcript', { timeout: 60_000 }, async (t) => {
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  const probe = await makeHome(t, null)
  const config = baseConfig(probe, {
    gateway: { auth: { token: TOKEN } },
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo' } }
  })
  const home = await makeHome(t, config)
  const port = await freePort()

  const first = spawnGateway(home, ['--port', String(port)])
  await first.listening()
  const { client } = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.admin'] })
  // One completed turn, then a turn that is still streaming when the process dies.
  await client.request('chat.send', { sessionKey: 'main', message: 'first', idempotencyKey: 'c-1' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'c-1' && f.payload.state === 'final', 10_000)
  upstream.enqueue({ type: 'sse', frames: openAiChatFrames({ text: Array.from({ length: 50 }, (_, i) => `w${i} `) }), delayMs: 100 })
  await client.request('chat.send', { sessionKey: 'main', message: 'second', idempotencyKey: 'c-2' })
  await client.next((f) => f.event === 'chat' && f.payload.runId === 'c-2' && f.payload.state === 'delta', 10_000)
  first.signal('SIGKILL')
  const exit = await first.waitExit()
  assert.equal(exit.signal, 'SIGKILL')
  client.close()

  const second = spawnGateway(home, ['--port', String(port)])
  t.after(() => second.kill())
  await second.listening()
  const { client: again } = await connectOk(`ws://127.0.0.1:${port}`, { token: TOKEN, scopes: ['operator.admin'] })
  t.after(() => { again.close() })
  const history = await again.request('chat.history', { sessionKey: 'main' })
  const turns = history.payload.messages.map((m: any) => `${m.role}:${typeof m.content === 'string' ? m.content : m.content.map((p: any) => p.text ?? '').join('')}`)
  // Completed messages survive; the in-flight partial reply is the only loss.
  assert.deepEqual(turns, ['user:first', 'assistant:echo: first', 'user:second'])

  await again.request('chat.send', { sessionKey: 'main', message: 'third', idempotencyKey: 'c-3' })
  const final = await again.next((f) => f.event === 'chat' && f.payload.runId === 'c-3' && f.payload.state === 'final', 10_000)
  assert.equal(final.payload.message.content[0].text, 'echo: third')
  // The model saw the surviving history, without a dangling partial reply.
  const sent = upstream.lastRequest().body.messages.map((m: any) => m.role)
  assert.deepEqual(sent, ['system', 'user', 'assistant', 'user', 'user'])

  // Every line of every transcript on disk is whole JSON.
  const dir = path.join(home.stateDir, 'agents', 'main', 'sessions')
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of (await readFile(path.join(dir, f), 'utf8')).split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line))
  }
})
