import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  createFileSessionStore,
  SessionError,
  type FileSessionStore,
  type FileSessionStoreOptions,
  type TranscriptMessage
} from '../src/sessions/index.js'
import { readIndexFiles } from './support/session-files.js'

type T = TestContext

async function setup (t: T, overrides: Partial<FileSessionStoreOptions> = {}): Promise<{ store: FileSessionStore, stateDir: string }> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sessions-store-'))
  const store = createFileSessionStore({ stateDir, ...overrides })
  t.after(async () => {
    await store.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { store, stateDir }
}

function msg (n: number, extra: Partial<TranscriptMessage> = {}): TranscriptMessage {
  return { id: `m${n}`, role: n % 2 === 0 ? 'user' : 'assistant', content: `message ${n}`, timestamp: 1_000 + n, ...extra }
}

function sessionsDir (stateDir: string, agentId = 'main'): string {
  return path.join(stateDir, 'agents', agentId, 'sessions')
}

async function assertCode (promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SessionError, `expected SessionError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

test('append then history returns messages oldest first, and updates the entry', async (t) => {
  const { store } = await setup(t, { clock: () => 42_000 })
  await store.append('agent:main:main', [msg(0), msg(1)])
  const entry = await store.append('agent:main:main', [
    msg(2, { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } }),
    msg(3, { role: 'toolResult', toolCallId: 'c1', content: 'tool output' })
  ])
  assert.equal(entry.messageCount, 4)
  assert.deepEqual([entry.inputTokens, entry.outputTokens, entry.totalTokens], [10, 5, 15])
  assert.equal(entry.lastMessagePreview, 'message 2', 'tool results do not become the preview')
  assert.equal(entry.updatedAt, 42_000)
  const history = await store.history('agent:main:main')
  assert.deepEqual(history.map((m) => m.id), ['m0', 'm1', 'm2', 'm3'])
  assert.deepEqual(history[3], msg(3, { role: 'toolResult', toolCallId: 'c1', content: 'tool output' }))
  assert.deepEqual(await store.get('agent:main:main'), entry)
})

test('history honours limit and maxBytes across chunk boundaries', async (t) => {
  const { store } = await setup(t)
  const key = 'agent:main:big'
  const filler = 'é'.repeat(1500) // multi-byte, so chunk splits land inside characters
  const all = Array.from({ length: 120 }, (_, i) => msg(i, { content: `${i}:${filler}` }))
  await store.append(key, all.slice(0, 60))
  await store.append(key, all.slice(60))

  const last5 = await store.history(key, { limit: 5 })
  assert.deepEqual(last5.map((m) => m.id), ['m115', 'm116', 'm117', 'm118', 'm119'])
  assert.deepEqual(last5[0], all[115])

  const everything = await store.history(key)
  assert.deepEqual(everything, all, 'a full read across many 64 KiB chunks is byte-exact')

  const lineBytes = Buffer.byteLength(JSON.stringify({ type: 'message', ...all[119] })) + 1
  const byBytes = await store.history(key, { maxBytes: lineBytes * 3 + 10 })
  assert.deepEqual(byBytes.map((m) => m.id), ['m117', 'm118', 'm119'])
  assert.deepEqual(await store.history(key, { maxBytes: lineBytes - 1 }), [], 'a message larger than the budget is not returned')
  assert.deepEqual(await store.history(key, { limit: 0 }), [])
  assert.deepEqual(await store.history('agent:main:unknown'), [])
  await assertCode(store.history(key, { limit: -1 }), 'SESSION_INVALID_OPTIONS')
})

test('a single record larger than a read chunk round-trips', async (t) => {
  const { store } = await setup(t)
  const huge = msg(1, { content: [{ type: 'image', mimeType: 'image/png', data: 'A'.repeat(300_000) }, { type: 'text', text: 'caption' }] })
  await store.append('agent:main:img', [msg(0), huge, msg(2)])
  const history = await store.history('agent:main:img')
  assert.deepEqual(history, [msg(0), huge, msg(2)])
  assert.deepEqual((await store.history('agent:main:img', { maxBytes: 1000 })).map((m) => m.id), ['m2'])
})

test('100 parallel appends to one session all land, in call order, on whole lines', async (t) => {
  const { store, stateDir } = await setup(t)
  const key = 'agent:main:busy'
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(key, [msg(i)])))
  assert.deepEqual(results.map((r) => r.messageCount), Array.from({ length: 100 }, (_, i) => i + 1))
  const history = await store.history(key)
  assert.deepEqual(history.map((m) => m.id), Array.from({ length: 100 }, (_, i) => `m${i}`))
  const entry = await store.get(key)
  const lines = (await readFile(path.join(sessionsDir(stateDir), `${entry!.sessionId}.jsonl`), 'utf8')).split('\n')
  assert.equal(lines.pop(), '', 'file ends with a newline')
  assert.equal(lines.length, 101, 'header plus one line per message')
  for (const line of lines) JSON.parse(line)
  const index = await readIndexFiles(sessionsDir(stateDir))
  assert.equal(index[key].messageCount, 100, 'the last index write includes every append')
})

test('parallel appends to different sessions and agents stay separate', async (t) => {
  const { store, stateDir } = await setup(t, { maxOpenFiles: 2 })
  const keys = ['agent:main:a', 'agent:main:b', 'agent:main:c2', 'agent:ops:c', 'agent:ops:d', 'agent:x1:e']
  await Promise.all(keys.flatMap((key) => Array.from({ length: 10 }, (_, i) => store.append(key, [msg(i, { label: key })]))))
  // Every resolved append must already be in the index file, even with index writes coalesced across keys.
  for (const key of keys) {
    const agentId = key.split(':')[1]
    const index = await readIndexFiles(sessionsDir(stateDir, agentId))
    assert.equal(index[key].messageCount, 10, key)
  }
  for (const key of keys) {
    const history = await store.history(key)
    assert.deepEqual(history.map((m) => [m.id, m.label]), Array.from({ length: 10 }, (_, i) => [`m${i}`, key]))
  }
})

test('ensure creates once; files and directories are private', async (t) => {
  const { store, stateDir } = await setup(t, { clock: () => 5 })
  const [a, b] = await Promise.all([store.ensure('agent:main:main'), store.ensure('agent:main:main')])
  assert.equal(a.sessionId, b.sessionId, 'concurrent ensure must not create two sessions')
  assert.match(a.sessionId, /^[0-9a-f-]{36}$/)
  assert.deepEqual({ ...a, sessionId: '' }, {
    key: 'agent:main:main',
    agentId: 'main',
    sessionId: '',
    createdAt: 5,
    updatedAt: 5,
    messageCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0
  })
  const dir = sessionsDir(stateDir)
  assert.equal((await stat(dir)).mode & 0o777, 0o700)
  assert.equal((await stat(path.join(stateDir, 'agents', 'main'))).mode & 0o777, 0o700)
  for (const name of await readdir(dir)) assert.equal((await stat(path.join(dir, name))).mode & 0o777, 0o600, name)
  const header = JSON.parse((await readFile(path.join(dir, `${a.sessionId}.jsonl`), 'utf8')).split('\n')[0])
  assert.deepEqual(header, { type: 'session', version: 1, key: 'agent:main:main', sessionId: a.sessionId, agentId: 'main', createdAt: 5 })
})

test('patch sets and clears fields; missing session is SESSION_NOT_FOUND', async (t) => {
  const { store } = await setup(t)
  await store.ensure('agent:main:p')
  const set = await store.patch('agent:main:p', { label: 'Work', pinned: true, model: 'gpt-x', thinkingLevel: 'high' })
  assert.deepEqual([set.label, set.pinned, set.model, set.thinkingLevel], ['Work', true, 'gpt-x', 'high'])
  const cleared = await store.patch('agent:main:p', { label: null, pinned: false })
  assert.equal('label' in cleared, false)
  assert.equal(cleared.pinned, false)
  assert.equal(cleared.model, 'gpt-x', 'untouched fields stay')
  await assertCode(store.patch('agent:main:nope', { label: 'x' }), 'SESSION_NOT_FOUND')
  await assertCode(store.patch('agent:main:p', { pinned: 'yes' as unknown as boolean }), 'SESSION_INVALID_PATCH')
})

test('list sorts by updatedAt desc, filters and pages', async (t) => {
  let now = 1_000_000
  const { store } = await setup(t, { clock: () => now })
  for (const [i, key] of ['agent:main:one', 'agent:main:two', 'agent:ops:three', 'agent:main:four'].entries()) {
    now = 1_000_000 + i * 60_000
    await store.append(key, [msg(i)])
  }
  await store.patch('agent:main:two', { displayName: 'Project Falcon' })
  const all = await store.list()
  assert.equal(all.total, 4)
  assert.deepEqual(all.sessions.map((s) => s.key), ['agent:main:four', 'agent:ops:three', 'agent:main:two', 'agent:main:one'])
  const page = await store.list({ limit: 2, offset: 1 })
  assert.deepEqual([page.total, page.sessions.map((s) => s.key)], [4, ['agent:ops:three', 'agent:main:two']])
  assert.deepEqual((await store.list({ agentId: 'ops' })).sessions.map((s) => s.key), ['agent:ops:three'])
  assert.deepEqual((await store.list({ search: 'falcon' })).sessions.map((s) => s.key), ['agent:main:two'])
  assert.deepEqual((await store.list({ activeMinutes: 1.5 })).sessions.map((s) => s.key), ['agent:main:four', 'agent:ops:three'])
  assert.deepEqual(await store.list({ agentId: 'nobody' }), { sessions: [], total: 0 })
  const first = await store.list({ limit: 2 })
  assert.deepEqual((await store.list({ limit: 2, cursor: first.nextCursor })).sessions.map((s) => s.key), ['agent:main:two', 'agent:main:one'])
  await assertCode(store.list({ agentId: '../etc' }), 'SESSION_INVALID_KEY')
})

test('list pages by cursor, stable while new sessions arrive, and searches the last message', async (t) => {
  let now = 2_000_000
  const { store } = await setup(t, { clock: () => now })
  for (let i = 0; i < 1_200; i += 100) {
    now += 1
    await Promise.all(Array.from({ length: 100 }, (_, j) => store.append(`agent:main:s${String(i + j).padStart(4, '0')}`, [msg(i + j, { content: `note ${i + j === 1034 ? 'kumquat' : 'plain'}` })])))
  }
  const everything = (await store.list({ limit: 10_000 })).sessions
  const expected = everything.map((s) => s.key)
  assert.equal(expected.length, 1_200)
  // 100 sessions share each updatedAt: newest first, then by key, whether the whole list is sorted or only a top k is kept.
  assert.deepEqual(expected, [...everything].sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : 1)).map((s) => s.key))
  assert.deepEqual((await store.list({ limit: 50, offset: 70 })).sessions.map((s) => s.key), expected.slice(70, 120))
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await store.list({ limit: 500, ...(cursor !== undefined ? { cursor } : {}) })
    assert.equal(page.total, 1_200 + pages, 'total counts every match')
    seen.push(...page.sessions.map((s) => s.key))
    cursor = page.nextCursor
    pages += 1
    // A session created between pages goes to the top and does not shift the pages after the cursor.
    now += 1
    await store.append(`agent:main:new${pages}`, [msg(0)])
  } while (cursor !== undefined)
  assert.deepEqual(seen, expected)
  assert.equal(pages, 3)
  const found = await store.list({ search: 'KUMQUAT' })
  assert.deepEqual(found.sessions.map((s) => s.key), ['agent:main:s1034'], 'search matches the last message preview')
  await assertCode(store.list({ cursor: 'not-a-cursor' }), 'SESSION_INVALID_OPTIONS')
  const none = await store.list({ limit: 0 })
  assert.deepEqual([none.sessions, none.total, none.nextCursor], [[], 1_203, undefined], 'limit 0 counts without listing')
})

test('reset starts a new sessionId, keeps settings and the old transcript on disk', async (t) => {
  const { store, stateDir } = await setup(t, { clock: () => 777 })
  const before = await store.append('agent:main:r', [msg(0), msg(1, { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } })])
  await store.patch('agent:main:r', { label: 'keep me' })
  const after = await store.reset('agent:main:r')
  assert.notEqual(after.sessionId, before.sessionId)
  assert.deepEqual([after.messageCount, after.totalTokens, after.lastMessagePreview, after.label], [0, 0, undefined, 'keep me'])
  assert.deepEqual(await store.history('agent:main:r'), [])
  const names = await readdir(sessionsDir(stateDir))
  assert.ok(names.includes(`${before.sessionId}.jsonl.reset-777`), names.join(','))
  assert.ok(names.includes(`${after.sessionId}.jsonl`))
  const old = await readFile(path.join(sessionsDir(stateDir), `${before.sessionId}.jsonl.reset-777`), 'utf8')
  assert.equal(old.trim().split('\n').length, 4, 'header, two messages, one patch')
  await store.append('agent:main:r', [msg(2)])
  assert.deepEqual((await store.history('agent:main:r')).map((m) => m.id), ['m2'])
  await assertCode(store.reset('agent:main:missing'), 'SESSION_NOT_FOUND')
})

test('delete archives the transcript by default and removes it on request', async (t) => {
  const { store, stateDir } = await setup(t, { clock: () => 9 })
  const a = await store.append('agent:main:a', [msg(0)])
  const b = await store.append('agent:main:b', [msg(0)])
  assert.equal(await store.delete('agent:main:a'), true)
  assert.equal(await store.delete('agent:main:b', { deleteTranscript: true }), true)
  assert.equal(await store.delete('agent:main:b'), false)
  assert.equal(await store.get('agent:main:a'), undefined)
  assert.equal((await store.list()).total, 0)
  const names = await readdir(sessionsDir(stateDir))
  assert.ok(names.includes(`${a.sessionId}.jsonl.deleted-9`))
  assert.ok(!names.some((n) => n.startsWith(b.sessionId)), names.join(','))
  // A later append starts a brand-new session under the same key.
  const again = await store.append('agent:main:a', [msg(5)])
  assert.notEqual(again.sessionId, a.sessionId)
  assert.equal(again.messageCount, 1)
})

test('invalid keys are rejected and no key can escape the state directory', async (t) => {
  const { store, stateDir } = await setup(t)
  const bad = [
    'main', 'agent:main', 'agent::x', 'agent:Main:x', 'agent:../../etc:x', 'agent:a/b:x', 'Agent:main:x',
    `agent:${'a'.repeat(65)}:x`, `agent:main:${'x'.repeat(600)}`, 42 as unknown as string
  ]
  for (const key of bad) {
    await assertCode(store.append(key, [msg(0)]), 'SESSION_INVALID_KEY')
    await assertCode(store.get(key), 'SESSION_INVALID_KEY')
  }
  // Path-looking rest parts are fine as keys but never become file names.
  const tricky = ['agent:main:../../../../tmp/evil', 'agent:main:a/b\\c', 'agent:main:..', 'agent:main:CaseKept']
  for (const key of tricky) await store.append(key, [msg(0)])
  assert.deepEqual((await readdir(stateDir)).sort(), ['agents'])
  assert.deepEqual(await readdir(path.join(stateDir, 'agents')), ['main'])
  const names = await readdir(sessionsDir(stateDir))
  assert.ok(names.every((n) => ['sessions.json', 'sessions.log', 'sessions.dirty'].includes(n) || /^[0-9a-f-]{36}\.jsonl$/.test(n)), names.join(','))
  assert.equal(names.length, tricky.length + 3)
  assert.equal((await store.get('agent:main:CaseKept'))?.key, 'agent:main:CaseKept')
  assert.equal(await store.get('agent:main:casekept'), undefined, 'keys are case-preserving')
})

test('invalid messages are rejected before anything is written', async (t) => {
  const { store } = await setup(t)
  await store.append('agent:main:v', [msg(0)])
  const bad = [
    { ...msg(1), role: 'robot' },
    { ...msg(1), id: '' },
    { ...msg(1), timestamp: Number.NaN },
    { ...msg(1), content: [{ text: 'no type' }] },
    { ...msg(1), usage: { inputTokens: 1 } },
    { ...msg(1), content: [{ type: 'text', text: 'big', size: 1n }] }
  ] as unknown as TranscriptMessage[]
  for (const m of bad) await assertCode(store.append('agent:main:v', [msg(2), m]), 'SESSION_INVALID_MESSAGE')
  assert.deepEqual((await store.history('agent:main:v')).map((m) => m.id), ['m0'])
})

test('close waits for pending writes, then rejects new calls', async (t) => {
  const { store, stateDir } = await setup(t)
  const pending = Array.from({ length: 20 }, (_, i) => store.append('agent:main:c', [msg(i)]))
  await store.close()
  const settled = await Promise.allSettled(pending)
  assert.ok(settled.every((s) => s.status === 'fulfilled'))
  await assertCode(store.get('agent:main:c'), 'SESSION_STORE_CLOSED')
  assert.ok(!(await readdir(sessionsDir(stateDir))).includes('sessions.dirty'), 'a clean close clears the unclean-shutdown marker')
  const reopened = createFileSessionStore({ stateDir })
  t.after(() => reopened.close())
  assert.equal((await reopened.get('agent:main:c'))?.messageCount, 20)
  assert.equal((await reopened.history('agent:main:c')).length, 20)
})

test('preload loads every agent in the background; a list arriving meanwhile waits and sees every session', async (t) => {
  const { store: first, stateDir } = await setup(t)
  for (const key of ['agent:main:a', 'agent:main:b', 'agent:ops:c']) await first.append(key, [msg(0)])
  await first.close()
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const { open } = await import('node:fs/promises')
  const openFile = (async (file: string, ...rest: unknown[]) => {
    if (String(file).endsWith('sessions.json')) await gate
    return await (open as (...a: unknown[]) => Promise<unknown>)(file, ...rest)
  }) as NonNullable<FileSessionStoreOptions['openFile']>
  const store = createFileSessionStore({ stateDir, openFile })
  t.after(() => store.close())
  assert.equal(store.loaded(), false)
  const preload = store.preload()
  const listed = store.list({ limit: 10 })
  assert.equal(store.loaded(), false, 'not loaded while the snapshot read is held')
  release()
  await preload
  assert.equal(store.loaded(), true)
  const page = await listed
  assert.equal(page.total, 3)
  assert.deepEqual(page.sessions.map((s) => s.key).sort(), ['agent:main:a', 'agent:main:b', 'agent:ops:c'])
  assert.equal(store.preload(), store.preload(), 'one preload, shared')
  assert.equal(await store.smallIndex(), true, 'a few sessions are loaded on the spot for counts')
})

test('the index reloads intact across read and decode boundaries: a 1.5 MB entry, non-ASCII text, thousands of lines', async (t) => {
  const { store, stateDir } = await setup(t)
  const big = `é🦞 ${'long label '.repeat(140_000)}`
  await store.append('agent:main:big', [msg(0)])
  await store.patch('agent:main:big', { label: big })
  for (let i = 0; i < 3_000; i++) await store.ensure(`agent:main:s-${i}`)
  await store.patch('agent:main:s-2999', { displayName: 'Zoë ✓' })
  await store.close()
  // A clean close compacts: the reload below reads all of it from the snapshot.
  const snapshot = await readFile(path.join(sessionsDir(stateDir), 'sessions.json'), 'utf8')
  assert.ok(snapshot.includes('Zoë ✓') && snapshot.length > 1_500_000)
  const reopened = createFileSessionStore({ stateDir })
  t.after(() => reopened.close())
  assert.equal((await reopened.list({ limit: 1 })).total, 3_001)
  assert.equal((await reopened.get('agent:main:big'))?.label, big)
  assert.equal((await reopened.get('agent:main:s-2999'))?.displayName, 'Zoë ✓')
  assert.equal((await reopened.list({ search: 'zoë' })).total, 1)
  // Read by the line reader: falling back to the whole-file (pre-#19 layout) reader would migrate and keep a backup.
  assert.ok(!(await readdir(sessionsDir(stateDir))).some((f) => f.startsWith('sessions.json.bak')))
})
