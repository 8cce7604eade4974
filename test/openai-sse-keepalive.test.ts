// The shared keep-alive timer of event streams, with a short period, on a
// real Fastify server and a real client: a silent stream is committed and
// gets comment lines; a stream that keeps writing gets none; a finished
// stream leaves the timer's set.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { KeepAlive, SseWriter } from '../plugins/openai-compat/sse-writer.js'

test('a silent stream gets keep-alive comments from the shared timer; a busy one does not', async (t) => {
  const keepAlive = new KeepAlive(40)
  const app = Fastify()
  t.after(async () => { keepAlive.close(); await app.close() })
  const ends: Array<() => void> = []
  // As in the real routes, the handler settles when its stream is over.
  app.get('/silent', (_request, reply) => new Promise<void>((resolve) => {
    const sse = new SseWriter(reply, { onCommit: () => {}, onOverflow: () => {} }, keepAlive)
    ends.push(() => { sse.end(); resolve() })
  }))
  app.get('/busy', (_request, reply) => new Promise<void>((resolve) => {
    const sse = new SseWriter(reply, { onCommit: () => {}, onOverflow: () => {} }, keepAlive)
    sse.commit()
    const timer = setInterval(() => { sse.write('data: {}\n\n') }, 5)
    ends.push(() => { clearInterval(timer); sse.end(); resolve() })
  }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

  const silent = await fetch(`${base}/silent`)
  assert.equal(silent.status, 200, 'the silent stream was committed by the keep-alive')
  assert.equal(silent.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  const busy = await fetch(`${base}/busy`)
  assert.equal(keepAlive.watching, 2)
  await sleep(250)
  for (const end of ends) end()
  const silentText = await silent.text()
  const busyText = await busy.text()
  assert.match(silentText, /^: keep-alive\n\n/)
  assert.ok(silentText.split(': keep-alive').length - 1 >= 2, 'more than one comment over several periods')
  assert.doesNotMatch(busyText, /keep-alive/)
  assert.match(busyText, /data: \[DONE\]\n\n$/)
  assert.equal(keepAlive.watching, 0, 'ended streams leave the timer')
})
