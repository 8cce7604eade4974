// The channel layer's small parts: reply splitting, the Telegram offset file,
// and the allow-list / pairing store with an injected clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { splitText } from '../src/channels/split-text.js'
import { OffsetStore } from '../src/channels/telegram/offset-store.js'
import { AccessStore, MAX_PENDING, PAIRING_TTL_MS } from '../src/channels/access.js'
import { Inbox } from '../src/channels/inbox.js'

test('splitText: within the limit, at a space or line break when it can, never inside a surrogate pair', () => {
  assert.deepEqual(splitText('short', 10), ['short'])
  assert.deepEqual(splitText('aaaa bbbb cccc', 10), ['aaaa bbbb', 'cccc'])
  assert.deepEqual(splitText('line one\nline two', 12), ['line one', 'line two'])
  assert.deepEqual(splitText('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)])
  const emoji = 'a'.repeat(9) + '😀' + 'b'
  const parts = splitText(emoji, 10)
  assert.deepEqual(parts, ['a'.repeat(9), '😀b'])
  assert.ok(parts.every((p) => p.length <= 10))
})

test('OffsetStore: handled ids survive a reload; the offset moves past handled ids only', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-offset-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const a = new OffsetStore(dir)
  await a.load()
  assert.equal(a.offset, 0)
  await a.markDone(11)
  await a.markDone(13)
  await a.advance([10, 11, 12, 13])
  assert.equal(a.offset, 0, '10 is not handled: nothing may be confirmed')

  const b = new OffsetStore(dir)
  await b.load()
  assert.deepEqual([10, 11, 12, 13].map((id) => b.handled(id)), [false, true, false, true])
  await b.markDone(10)
  await b.markDone(12)
  await b.advance([10, 11, 12, 13])
  assert.equal(b.offset, 14)
  assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'offset.json'), 'utf8')), { offset: 14, done: [] })
})

test('AccessStore: deny by default, one code per peer, a cap on open requests, expiry, approval', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-access-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  let now = 1_000_000
  const store = new AccessStore(dir, () => now)
  await store.load()
  assert.deepEqual(await store.decide('1', 'a', 'allowlist', []), { kind: 'denied' })
  assert.deepEqual(await store.decide('1', 'a', 'allowlist', ['1']), { kind: 'allowed' })
  assert.deepEqual(await store.decide('1', 'a', 'disabled', ['*']), { kind: 'denied' })
  assert.deepEqual(await store.decide('9', 'a', 'open', []), { kind: 'allowed' })

  const first = await store.decide('1', 'a', 'pairing', [])
  assert.equal(first.kind, 'pairing')
  const code = first.kind === 'pairing' ? first.code : ''
  assert.match(code, /^[A-HJ-NP-Z2-9]{8}$/)
  assert.deepEqual(await store.decide('1', 'a', 'pairing', []), { kind: 'pairing', code, created: false })
  for (let i = 2; i <= MAX_PENDING; i++) assert.equal((await store.decide(String(i), 'x', 'pairing', [])).kind, 'pairing')
  assert.deepEqual(await store.decide('99', 'x', 'pairing', []), { kind: 'denied' }, 'at most three open requests')

  now += PAIRING_TTL_MS
  assert.equal(store.pending().length, 0, 'requests expire after an hour')
  assert.equal(await store.approve(code), undefined)
  const again = await store.decide('1', 'a', 'pairing', [])
  assert.equal(again.kind, 'pairing')
  const approved = await store.approve(again.kind === 'pairing' ? again.code.toLowerCase() : '')
  assert.equal(approved?.peer, '1')

  const reloaded = new AccessStore(dir, () => now)
  await reloaded.load()
  assert.deepEqual(await reloaded.decide('1', 'a', 'pairing', []), { kind: 'allowed' }, 'approvals are kept on disk')
})

test('Inbox: open entries come back once in a new process, done ones never; sequence numbers keep growing', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-inbox-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const a = new Inbox(dir)
  assert.deepEqual(await a.replay(), [])
  const one = await a.add({ peer: '1', text: 'one', senderLabel: 'x', at: 1 })
  const two = await a.add({ peer: '2', text: 'two', senderLabel: 'y', at: 2 })
  await a.done(one.seq)
  assert.deepEqual(await a.replay(), [], 'a process replays only what an earlier one left')

  const b = new Inbox(dir)
  assert.deepEqual(await b.replay(), [two])
  assert.deepEqual(await b.replay(), [])
  const three = await b.add({ peer: '3', text: 'three', senderLabel: 'z', at: 3 })
  assert.ok(three.seq > two.seq)
  await b.done(two.seq)
  await b.done(three.seq)
  assert.deepEqual(await new Inbox(dir).replay(), [])
})
