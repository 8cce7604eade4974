// The stored-responses log on real files: what a reopen (a restart) finds
// after evictions, deletions, expiry and a torn last line, and that dead
// segment files are deleted rather than kept forever.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { openResponseStore, type ResponseStore, type StoreLimits, type StoredResponse } from '../plugins/openai-compat/response-store.js'

async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-store-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function record (n: number, createdAtMs: number): StoredResponse {
  const id = `resp_${n.toString(16).padStart(32, '0')}`
  const response = { id, object: 'response', created_at: Math.floor(createdAtMs / 1000), status: 'completed', output: [], output_text: `answer ${n} é` } as unknown as StoredResponse['response']
  return { id, createdAtMs, agentId: 'main', sessionKey: `agent:main:openresponses:${n}`, persisted: false, response, input: [] }
}

async function open (t: TestContext, dir: string, limits: Partial<StoreLimits> = {}, now = () => 1_000_000): Promise<ResponseStore> {
  // A failed file operation surfaces as an unhandled rejection, which fails the test.
  const store = await openResponseStore({ dir, limits: () => ({ maxResponses: 10_000, maxAgeMs: 3_600_000, ...limits }), now, onError: (err) => { throw err } })
  t.after(() => store.close())
  return store
}

/** Saved with its JSON, as the route saves what the client got. */
const save = (store: ResponseStore, r: StoredResponse) => { store.save(r, JSON.stringify(r.response)) }

const text = async (store: ResponseStore, n: number) => (await store.get(record(n, 0).id))?.response.output_text

test('a reopened store has what was saved, minus deletions and evictions; dead segments are deleted', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir, { maxResponses: 1500 })
  for (let n = 0; n < 2500; n++) save(store, record(n, 1_000_000))
  assert.equal(store.size, 1500)
  assert.equal(await store.delete(record(2000, 0).id), true)
  assert.equal(await store.delete(record(2000, 0).id), false)
  await store.flush()
  // 2500 records in segments of 1000: the first segment's records are all evicted, so its file is gone.
  assert.equal((await readdir(dir)).length, 2)

  const reopened = await open(t, dir, { maxResponses: 5000 })
  assert.equal(reopened.size, 1499)
  assert.equal(await text(reopened, 999), undefined, 'evicted stays evicted under a larger limit')
  assert.equal(await text(reopened, 1000), 'answer 1000 é')
  assert.equal(await text(reopened, 2000), undefined, 'deleted stays deleted')
  assert.equal(await text(reopened, 2499), 'answer 2499 é')
})

test('evictions cost one watermark line per write, not a line each, and a replay applies it', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir, { maxResponses: 100 })
  for (let n = 0; n < 300; n++) save(store, record(n, 1_000_000))
  await store.flush()
  for (let n = 300; n < 350; n++) save(store, record(n, 1_000_000))
  await store.flush()
  const lines = (await readFile(path.join(dir, (await readdir(dir))[0]!), 'utf8')).trimEnd().split('\n')
  assert.equal(lines.length, 352, '350 records and two watermark lines')
  assert.deepEqual(lines.filter((l) => !l.startsWith('{"createdAtMs"')).map((l) => Object.keys(JSON.parse(l))), [['evictedBefore'], ['evictedBefore']])

  const reopened = await open(t, dir, { maxResponses: 1000 })
  assert.equal(reopened.size, 100)
  assert.deepEqual([await text(reopened, 249), await text(reopened, 250), await text(reopened, 349)], [undefined, 'answer 250 é', 'answer 349 é'])
  // Deleting the oldest live record writes a drop line; a later eviction's watermark passes it.
  assert.equal(await reopened.delete(record(250, 0).id), true)
  await reopened.flush()
  const again = await open(t, dir, { maxResponses: 1000 })
  assert.deepEqual([again.size, await text(again, 250), await text(again, 251)], [99, undefined, 'answer 251 é'])
})

test('input items come back as saved, text messages (encoded from a template) and every other shape', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir)
  const input = [
    { type: 'message', id: 'msg_1i0', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'plain' }] },
    { type: 'message', id: 'msg_1i1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'quote " backslash \\ newline \n tab \t é 😀 \u0001' }, { type: 'input_text', text: '' }] },
    { type: 'message', id: 'msg_1i2', role: 'user', status: 'completed', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA' }] },
    { type: 'message', id: 'msg_1i3', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'x', annotations: [] }] },
    { type: 'message', id: 'msg_"odd"', role: 'user', status: 'completed', content: [], extra: 1 },
    { type: 'function_call', id: 'fc_1i5', call_id: 'call_1', name: 'f', arguments: '{"a":"\\"}', status: 'completed' },
    { type: 'function_call_output', id: 'fco_1i6', call_id: 'call_1', output: 'ok', status: 'completed' }
  ]
  const saved = { ...record(1, 1_000_000), sessionKey: 'agent:main:openresponses:"user" \\ é', persisted: true, input }
  save(store, saved)
  await store.flush()
  const reopened = await open(t, dir)
  const back = await reopened.get(saved.id)
  assert.deepEqual(back?.input, input)
  assert.equal(back?.sessionKey, saved.sessionKey)
})

test('a text input reads back as its message item; a stateless run keeps no session key; older lines still read', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir)
  const { input: _, ...rest } = record(1, 1_000_000)
  store.save({ ...rest, input: 'say "hi" é' }, JSON.stringify(rest.response))
  await store.flush()
  // A line as earlier versions wrote it: the id and the session key in the record itself.
  const older = record(2, 1_000_000)
  const [segment] = await readdir(dir)
  await appendFile(path.join(dir, segment!), `${JSON.stringify(older)}\n`)

  const reopened = await open(t, dir)
  const back = await reopened.get(rest.id)
  assert.deepEqual(back?.input, [{ type: 'message', id: 'msg_00000000000000000000000000000001i0', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'say "hi" é' }] }])
  assert.equal(back?.id, rest.id)
  assert.equal(back?.sessionKey, '')
  assert.deepEqual(await reopened.get(older.id), older)
})

test('a torn last line (a crash mid-write) is skipped and later saves go to a new segment', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir)
  save(store, record(1, 1_000_000))
  await store.flush()
  const [segment] = await readdir(dir)
  await appendFile(path.join(dir, segment!), '{"id":"resp_torn","createdAtMs":1,"resp')

  const second = await open(t, dir)
  assert.equal(await text(second, 1), 'answer 1 é')
  save(second, record(2, 1_000_000))
  await second.flush()
  assert.equal((await readdir(dir)).length, 2)
  const third = await open(t, dir)
  assert.deepEqual([await text(third, 1), await text(third, 2), third.size], ['answer 1 é', 'answer 2 é', 2])
})

test('a response older than maxAge is gone, on read and on reopen', async (t) => {
  const dir = await tempDir(t)
  let now = 1_000_000
  const store = await open(t, dir, { maxAgeMs: 60_000 }, () => now)
  save(store, record(1, now))
  save(store, record(2, now + 30_000))
  await store.flush()
  now += 61_000
  assert.equal(await text(store, 1), undefined)
  assert.equal(await text(store, 2), 'answer 2 é')
  await store.flush()
  const reopened = await open(t, dir, { maxAgeMs: 60_000 }, () => now)
  assert.deepEqual([await text(reopened, 1), await text(reopened, 2)], [undefined, 'answer 2 é'])
  now += 30_000
  const later = await open(t, dir, { maxAgeMs: 60_000 }, () => now)
  assert.equal(later.size, 0)
  // Its drop lines are on disk before the directory is removed (cleanups run in the order they were registered).
  await later.flush()
})

test('a record larger than a write chunk, with multi-byte text, reads back whole before and after it is written', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir)
  const big = record(7, 1_000_000)
  const long = 'ü€😀 '.repeat(30_000)
  big.response.output_text = long
  save(store, record(6, 1_000_000))
  save(store, big)
  save(store, record(8, 1_000_000))
  assert.equal((await store.get(big.id))?.response.output_text, long, 'read while still queued')
  await store.flush()
  const reopened = await open(t, dir)
  assert.equal((await reopened.get(big.id))?.response.output_text, long)
  assert.deepEqual([await text(reopened, 6), await text(reopened, 8)], ['answer 6 é', 'answer 8 é'])
})

test('written chunks are reused, never while a queued line or an unwritten record still reads them', async (t) => {
  const dir = await tempDir(t)
  const store = await open(t, dir)
  // ~30 KB a record: two to a 64 KB chunk, so every few saves start a chunk, and reuse begins after the first write.
  const padded = (n: number) => { const r = record(n, 1_000_000); r.response.output_text = `answer ${n} ${'é'.repeat(15_000)}`; return r }
  for (let n = 0; n < 60; n++) {
    save(store, padded(n))
    // Half the time a write is in flight while the next records are encoded.
    const flushed = n % 2 === 0 ? store.flush() : undefined
    assert.equal((await store.get(padded(n).id))?.response.output_text, padded(n).response.output_text)
    await flushed
  }
  await store.flush()
  const reopened = await open(t, dir)
  for (let n = 0; n < 60; n++) assert.equal((await reopened.get(padded(n).id))?.response.output_text, padded(n).response.output_text, `record ${n}`)
})
