// The ring of stored-response lines not yet on disk: each one is found where
// it was put until a write covers it, through growth and wrap-around, and
// only in save order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PendingLines } from '../plugins/openai-compat/pending-lines.js'

test('a random run of saves and writes agrees with a Map of what is unwritten', () => {
  const pending = new PendingLines(4)
  const model = new Map<number, { chunk: Buffer, at: number }>()
  const chunks = [Buffer.alloc(1), Buffer.alloc(1), Buffer.alloc(1)]
  // A fixed-seed generator, so a failure replays.
  let seed = 7
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  let next = 1000
  let writtenUpTo = next
  for (let step = 0; step < 20_000; step++) {
    if (random(10) < 7) {
      const line = { chunk: chunks[random(3)]!, at: random(65_536) }
      pending.add(next, line.chunk, line.at)
      model.set(next++, line)
    } else {
      // A write covers what was saved when it started: up to some position not past the newest.
      writtenUpTo = writtenUpTo + random(next - writtenUpTo + 1)
      pending.written(writtenUpTo)
      for (const pos of model.keys()) if (pos < writtenUpTo) model.delete(pos)
    }
    assert.equal(pending.size, model.size)
    const probe = writtenUpTo - 2 + random(next - writtenUpTo + 4)
    assert.deepEqual(pending.find(probe), model.get(probe), `position ${probe} at step ${step}`)
  }
  assert.ok(next - 1000 > 10_000, 'the run saved lines')
})

test('a backlog larger than the ring grows it and keeps every line', () => {
  const pending = new PendingLines(4)
  const chunk = Buffer.alloc(1)
  for (let pos = 0; pos < 100; pos++) pending.add(pos, chunk, pos * 10)
  for (let pos = 0; pos < 100; pos++) assert.equal(pending.find(pos)?.at, pos * 10)
  pending.written(60)
  assert.equal(pending.find(59), undefined)
  assert.equal(pending.find(60)?.at, 600)
  assert.equal(pending.size, 40)
})

test('lines are added in save order only', () => {
  const pending = new PendingLines()
  const chunk = Buffer.alloc(1)
  pending.add(5, chunk, 0)
  assert.throws(() => { pending.add(7, chunk, 0) }, RangeError)
  assert.throws(() => { pending.add(5, chunk, 0) }, RangeError)
  // Once everything is written, the next save may start anywhere (a reopened store starts at its tail).
  pending.written(6)
  pending.add(40, chunk, 3)
  assert.deepEqual(pending.find(40), { chunk, at: 3 })
})
