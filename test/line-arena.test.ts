// The arena that stored-response lines are encoded into: a chunk comes back
// for new lines only once nothing holds it, so queued bytes are never
// written over.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineArena } from '../plugins/openai-compat/line-arena.js'

const line = 'x'.repeat(10_000)

/** Puts lines until the arena moves on from `chunk` (a bounded number: a chunk holds at most six of them). */
function leave (arena: LineArena, chunk: Buffer): void {
  for (let i = 0; i < 20 && arena.chunk === chunk; i++) arena.put(line)
  assert.notEqual(arena.chunk, chunk, 'the arena went on filling the same chunk')
}

test('a held chunk is not written over; once released, it is reused', () => {
  const arena = new LineArena()
  arena.put('kept')
  const held = arena.chunk
  arena.hold(held)
  leave(arena, held)
  const used = new Set<Buffer>()
  for (let i = 0; i < 60; i++) {
    arena.put(line)
    used.add(arena.chunk)
  }
  assert.equal(used.has(held), false, 'the held chunk was filled again')
  assert.equal(used.size, 1, 'a chunk nothing holds is filled again')
  assert.equal(held.toString('utf8', 0, 5), 'kept\n')

  arena.release(held)
  // The chunk being filled is held too (a queued write): the next one is the released chunk.
  const current = arena.chunk
  arena.hold(current)
  leave(arena, current)
  assert.equal(arena.chunk, held)
})

test('a line longer than a chunk gets a chunk of its own, which is not kept for reuse', () => {
  const arena = new LineArena()
  const long = 'é'.repeat(40_000)
  const start = arena.put(long)
  const big = arena.chunk
  assert.ok(big.length > 64 * 1024)
  assert.equal(big.toString('utf8', start, arena.at - 1), long)
  leave(arena, big)
  const used = new Set<Buffer>()
  for (let i = 0; i < 30; i++) {
    arena.put(line)
    used.add(arena.chunk)
  }
  assert.equal(used.has(big), false)
})
