// The shared keep-alive timer of event streams, on a real Fastify server and a
// real client, its interval driven by mock timers: a silent stream is
// committed and gets comment lines; a stream that keeps writing gets none; a
// finished stream leaves the timer's list.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RunHandle } from '../src/agents/engine.js'
import type { RunEvent, RunListener, RunResult } from '../src/agents/types.js'
import { KeepAlive, streamRun, type StreamFormat } from '../plugins/openai-compat/streaming/index.js'

const FORMAT: StreamFormat = { opening: '', terminator: 'data: [DONE]\n\n', delta: (text) => `data: ${text}\n\n`, ok: () => '', failed: () => '' }
const RESULT = { status: 'ok', text: '', toolCalls: [] } as unknown as RunResult

/** A run driven by the test: `emit` hands an event to the stream listening to it. */
function scriptedRun () {
  let listener: RunListener | undefined
  const handle = { listen: (l: RunListener) => { listener = l; return () => { listener = undefined } } } as unknown as RunHandle
  return { handle, clientGone: false, abort: () => {}, emit: (e: RunEvent) => { listener!(e) } }
}

async function until (what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

test('a silent stream gets keep-alive comments from the shared timer; a busy one does not', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] })
  const keepAlive = new KeepAlive(1000)
  const app = Fastify()
  t.after(async () => { keepAlive.close(); await app.close() })
  const runs = { silent: scriptedRun(), busy: scriptedRun() }
  // As in the real routes, the handler settles when its stream is over.
  app.get<{ Params: { name: 'silent' | 'busy' } }>('/:name', async (request, reply) => {
    await streamRun(reply, runs[request.params.name], FORMAT, keepAlive)
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const silentResponse = fetch(`${base}/silent`)
  const busyResponse = fetch(`${base}/busy`)
  await until('both streams', () => keepAlive.watching === 2)
  // Six ticks of half a period: the silent stream is due at the third and the sixth.
  for (let i = 0; i < 6; i++) {
    runs.busy.emit({ type: 'delta', delta: 'x', text: '' })
    t.mock.timers.tick(500)
  }
  const silent = await silentResponse
  assert.equal(silent.status, 200, 'the silent stream was committed by the keep-alive')
  assert.equal(silent.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  for (const run of Object.values(runs)) run.emit({ type: 'end', result: RESULT })

  assert.equal(await silent.text(), ': keep-alive\n\n: keep-alive\n\ndata: [DONE]\n\n')
  assert.equal(await (await busyResponse).text(), `${'data: x\n\n'.repeat(6)}data: [DONE]\n\n`)
  assert.equal(keepAlive.watching, 0, 'ended streams leave the timer')
})
