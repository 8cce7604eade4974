// The stored responses' off-heap index against a Map doing the same work:
// lookups, oldest-first order, positions that stay put while the ring grows
// and wraps, and ids that are not ours.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResponseIndex } from '../plugins/openai-compat/response-index.js'

const idOf = (n: number) => `resp_${n.toString(16).padStart(32, '0')}`

interface Model { pos: number, createdAtMs: number, segment: number, offset: number, length: number }

test('a random run of pushes and removals agrees with a Map, through growth and wrap-around', () => {
  const index = new ResponseIndex(8)
  const model = new Map<string, Model>()
  /** Live ids, oldest first. */
  let order: string[] = []
  let seed = 7
  const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n }
  for (let step = 0; step < 30_000; step++) {
    const op = rand(10)
    if (op < 5 || model.size === 0) {
      // Ids from a small range, so a saved id comes back (replaced) now and then; some differ in one digit only.
      const id = idOf(rand(5000) * (rand(2) === 0 ? 1 : 0x10000))
      const earlier = model.get(id)
      if (earlier !== undefined) {
        index.remove(earlier.pos)
        model.delete(id)
        order = order.filter((o) => o !== id)
      }
      const entry = { createdAtMs: step * 1000.5, segment: rand(100), offset: step * 37, length: rand(70_000), pos: -1 }
      entry.pos = index.push(id, entry.createdAtMs, entry.segment, entry.offset, entry.length)
      model.set(id, entry)
      order.push(id)
    } else if (op < 8) {
      // Evict the oldest, as the store does.
      const pos = index.first()
      const oldest = order.shift()!
      assert.equal(pos, model.get(oldest)!.pos)
      index.remove(pos)
      model.delete(oldest)
    } else {
      // Delete one anywhere.
      const id = order[rand(order.length)]!
      index.remove(model.get(id)!.pos)
      model.delete(id)
      order = order.filter((o) => o !== id)
    }
    assert.equal(index.size, model.size)
    if (step % 97 === 0) {
      for (const [id, e] of model) {
        const pos = index.find(id)
        assert.equal(pos, e.pos)
        assert.ok(index.isLive(pos))
        assert.deepEqual([index.createdAt(pos), index.segment(pos), index.offset(pos), index.length(pos)], [e.createdAtMs, e.segment, e.offset, e.length])
      }
      assert.equal(index.first(), order.length === 0 ? -1 : model.get(order[0]!)!.pos)
      assert.equal(index.find(idOf(123_456_789)), -1)
    }
  }
  assert.ok(index.tail > 10_000, 'positions kept growing past the ring size')
})

test('only ids this gateway makes are kept; any other is never found', () => {
  const index = new ResponseIndex()
  const ours = 'resp_0123456789abcdef0123456789abcdef'
  assert.equal(ResponseIndex.accepts(ours), true)
  for (const other of ['resp_0123456789ABCDEF0123456789abcdef', 'resp_0123', `${ours}0`, 'msg_0123456789abcdef0123456789abcdef', 'resp_0123456789abcdef0123456789abcdeg', '']) {
    assert.equal(ResponseIndex.accepts(other), false, other)
    assert.throws(() => index.push(other, 0, 0, 0, 1), TypeError)
    assert.equal(index.find(other), -1)
  }
  const pos = index.push(ours, 5, 1, 2, 3)
  assert.equal(index.find(ours), pos)
  assert.equal(index.find(ours.toUpperCase()), -1)
})
