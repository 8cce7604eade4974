import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KeyedQueue } from '../src/keyed-queue.js'

/** A promise the test settles by hand. */
function gate () {
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { opened, open }
}

test('keyed queue: same key in call order, other keys alongside, a failure does not block the next task', async () => {
  const queue = new KeyedQueue()
  const order: string[] = []
  const first = gate()
  const failing = queue.run('k', async () => {
    await first.opened
    order.push('k1')
    throw new Error('boom')
  })
  const next = queue.run('k', async () => { order.push('k2'); return 'k2' })
  await queue.run('other', async () => { order.push('o1') })
  assert.deepEqual(order, ['o1'], 'another key does not wait for k')
  first.open()
  await assert.rejects(failing, /boom/)
  assert.equal(await next, 'k2')
  assert.deepEqual(order, ['o1', 'k1', 'k2'])
})

test('keyed queue: drain waits for every queued task, also those queued meanwhile', async () => {
  const queue = new KeyedQueue()
  const done: string[] = []
  const first = gate()
  void queue.run('a', async () => {
    await first.opened
    void queue.run('b', async () => { done.push('b') })
    done.push('a')
  })
  let drained = false
  const draining = queue.drain().then(() => { drained = true })
  await Promise.resolve()
  assert.equal(drained, false)
  first.open()
  await draining
  assert.deepEqual(done, ['a', 'b'])
})
