import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createHandleCache } from '../src/sessions/handle-cache.js'
import { createSerialWriter } from '../src/sessions/index-file.js'
import { linesBackward, readHistory } from '../src/sessions/transcript-io.js'

async function tempDir (t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sessions-internals-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('serial writer: concurrent flushes share one follow-up write that starts after them', async () => {
  let writes = 0
  let value = 0
  const seen: number[] = []
  const writer = createSerialWriter(async () => {
    writes += 1
    const snapshot = value
    await new Promise((resolve) => setTimeout(resolve, 10))
    seen.push(snapshot)
  })
  value = 1
  const first = writer.flush()
  const later = Array.from({ length: 10 }, (_, i) => {
    value = i + 2
    return writer.flush()
  })
  await Promise.all([first, ...later])
  assert.equal(writes, 2)
  assert.deepEqual(seen, [1, 11], 'the follow-up write saw the last change')
  await writer.idle()
})

test('handle cache: bounded, least recently used evicted, pinned handles never closed', async (t) => {
  const dir = await tempDir(t)
  const cache = createHandleCache(2)
  const closed: string[] = []
  const opener = (name: string) => async () => {
    const handle = await open(path.join(dir, name), 'a+')
    const close = handle.close.bind(handle)
    handle.close = async () => {
      closed.push(name)
      await close()
    }
    return { handle, size: 0 }
  }
  await cache.use('a', opener('a'), async () => undefined)
  await cache.use('b', opener('b'), async () => undefined)
  await cache.use('a', opener('a'), async () => undefined) // a is now most recent
  await cache.use('c', opener('c'), async () => undefined)
  assert.deepEqual(closed, ['b'])
  assert.equal(cache.size, 2)
  // While 'c' and 'd' are both in use, opening 'e' overflows rather than closing a busy handle.
  await cache.use('c', opener('c'), async () => {
    await cache.use('d', opener('d'), async () => {
      await cache.use('e', opener('e'), async (t2) => {
        await t2.handle.appendFile('still open')
      })
      assert.ok(!closed.includes('d'))
    })
  })
  assert.deepEqual(closed, ['b', 'a', 'e'], 'idle handles went once the busy ones were released')
  assert.equal(cache.size, 2)
  await cache.closeAll()
  assert.equal(cache.size, 0)
  assert.deepEqual([...closed].sort(), ['a', 'b', 'c', 'd', 'e'])
})

test('linesBackward yields lines newest first across chunk edges and skips empty lines', async (t) => {
  const dir = await tempDir(t)
  const file = path.join(dir, 'lines')
  const lines = ['first', 'x'.repeat(64 * 1024 - 1), '', 'y'.repeat(64 * 1024), 'ü'.repeat(40_000), 'last']
  const body = `${lines.join('\n')}\n`
  await writeFile(file, body)
  const handle = await open(file, 'r')
  t.after(() => handle.close())
  const got: string[] = []
  for await (const line of linesBackward(handle, Buffer.byteLength(body))) got.push(line!.toString('utf8'))
  assert.deepEqual(got, lines.filter((l) => l !== '').reverse())
  const capped: (string | null)[] = []
  for await (const line of linesBackward(handle, Buffer.byteLength(body), 70_000)) capped.push(line && line.toString('utf8'))
  assert.deepEqual(capped, ['last', null], 'a line over the cap ends the walk')
})

test('history reads only the tail of a large transcript', async (t) => {
  const dir = await tempDir(t)
  const file = path.join(dir, 'big.jsonl')
  const record = (i: number): string =>
    `${JSON.stringify({ type: 'message', id: `m${i}`, role: 'user', content: `${i}`.padEnd(1000, '.'), timestamp: i })}\n`
  const body = Array.from({ length: 8000 }, (_, i) => record(i)).join('')
  await writeFile(file, body)
  const real = await open(file, 'r')
  t.after(() => real.close())
  let bytesRead = 0
  const counting = {
    read: async (buf: Buffer, offset: number, length: number, position: number) => {
      const result = await real.read(buf, offset, length, position)
      bytesRead += result.bytesRead
      return result
    }
  } as unknown as FileHandle
  const size = Buffer.byteLength(body)
  const messages = await readHistory({ handle: counting, size }, { limit: 3 }, () => assert.fail('no bad lines'))
  assert.deepEqual(messages.map((m) => m.id), ['m7997', 'm7998', 'm7999'])
  assert.ok(bytesRead <= 64 * 1024, `read ${bytesRead} of ${size} bytes`)
  bytesRead = 0
  await readHistory({ handle: counting, size }, { maxBytes: 100_000 }, () => undefined)
  assert.ok(bytesRead <= 3 * 64 * 1024, `read ${bytesRead} of ${size} bytes for a 100 kB budget`)
})
