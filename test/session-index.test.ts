import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { EntryLine } from '../src/sessions/entry-line.js'
import { EntryView } from '../src/sessions/entry-view.js'
import { readIndex } from '../src/sessions/index-file.js'
import { needleOf } from '../src/sessions/index-strings.js'
import { SessionIndex } from '../src/sessions/session-index.js'
import type { SessionEntry } from '../src/sessions/types.js'

/** Deterministic uuids and choices, so a failure reproduces. */
function rng (seed: number): () => number {
  let s = seed
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return s / 2 ** 32
  }
}

function uuid (n: number): string {
  const hex = n.toString(16).padStart(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function entry (key: string, n: number, extra: Partial<SessionEntry> = {}): SessionEntry {
  const agentId = key.split(':')[1]!
  return { key, agentId, sessionId: uuid(n), createdAt: 1_700_000_000_000 + n, updatedAt: 1_700_000_000_500 + n, messageCount: n, inputTokens: 2 * n, outputTokens: 3 * n, totalTokens: 5 * n, ...extra }
}

test('session index: every field round-trips, absent optional fields stay absent, get returns a copy', () => {
  const index = new SessionIndex()
  const full = entry('agent:main:full', 7, {
    label: 'Ünïcödé label 🎉',
    displayName: '日本語の名前',
    model: 'gpt-4o',
    modelProvider: 'openai',
    thinkingLevel: 'high',
    archived: false,
    pinned: true,
    lastMessagePreview: 'ça va? — “quoted” 🙂',
    channel: 'webchat',
    sessionId: 'ffffffff-0000-4abc-8def-0123456789ab',
    inputTokens: 2 ** 40 + 1,
    updatedAt: 1_799_999_999_999.5
  })
  const bare = entry('agent:ops:bare', 0)
  // A lone surrogate cannot be UTF-8; an unknown field (from an OpenClaw-written index) is kept as is.
  const odd = { ...entry('agent:main:odd-\uD800', 9, { label: 'x\uDC00y' }), origin: { provider: 'telegram', n: [1, 2] }, pinned: 'yes' } as unknown as SessionEntry
  for (const e of [full, bare, odd]) index.set(e.key, e)
  assert.equal(index.size, 3)
  assert.deepEqual(index.get(full.key), full)
  assert.deepEqual(index.get(bare.key), bare)
  assert.deepEqual(Object.keys(index.get(bare.key)!).sort(), Object.keys(bare).sort(), 'no optional field appears from nowhere')
  assert.deepEqual(index.get(odd.key), odd)
  assert.equal(index.get('agent:main:odd-\uFFFD'), undefined, 'the lone surrogate is not folded into a replacement character')

  const copy = index.get(full.key)!
  copy.messageCount = 999
  copy.label = 'changed'
  assert.equal(index.get(full.key)!.messageCount, 7, 'changing a copy does not change the index')
  assert.equal(index.get(full.key)!.label, full.label)

  const view = new EntryView(index).at(index.slotOf(full.key))
  for (const field of Object.keys(full) as Array<keyof SessionEntry>) assert.deepEqual(view[field], full[field], `view.${field}`)
  const bareView = new EntryView(index).at(index.slotOf(bare.key))
  assert.equal(bareView.archived, undefined)
  assert.equal(bareView.label, undefined)
  assert.equal(bareView.agentId, 'ops')
})

test('session index: set overwrites, clearing a field removes it; bad entries are refused', () => {
  const index = new SessionIndex()
  index.set('agent:main:a', entry('agent:main:a', 1, { label: 'one', archived: true, lastMessagePreview: 'hello' }))
  index.set('agent:main:a', entry('agent:main:a', 2, { displayName: 'two' }))
  assert.deepEqual(index.get('agent:main:a'), entry('agent:main:a', 2, { displayName: 'two' }))
  assert.equal(index.size, 1)
  assert.throws(() => index.set('agent:main:b', { ...entry('agent:main:b', 3), sessionId: 'ABCDEF00-0000-4000-8000-000000000000' }), /canonical sessionId/)
  assert.throws(() => index.set('agent:main:b', entry('agent:main:c', 3)), /names agent:main:c/)
  assert.equal(index.has('agent:main:b'), false, 'a refused set leaves nothing behind')
  assert.equal(index.size, 1)
})

test('session index: deleted slots are reused, iteration is by slot and skips free ones', () => {
  const index = new SessionIndex()
  for (let i = 0; i < 5; i++) index.set(`agent:main:k${i}`, entry(`agent:main:k${i}`, i))
  assert.equal(index.delete('agent:main:k1'), true)
  assert.equal(index.delete('agent:main:k1'), false)
  assert.equal(index.delete('agent:main:k3'), true)
  assert.equal(index.size, 3)
  assert.deepEqual([...index.keys()], ['agent:main:k0', 'agent:main:k2', 'agent:main:k4'])
  index.set('agent:main:new', entry('agent:main:new', 9))
  index.set('agent:main:k1', entry('agent:main:k1', 10))
  assert.equal(index.slotLimit, 5, 'both freed slots were taken before a new one')
  assert.deepEqual([...index.keys()], ['agent:main:k0', 'agent:main:k1', 'agent:main:k2', 'agent:main:new', 'agent:main:k4'])
  assert.deepEqual(index.get('agent:main:k1'), entry('agent:main:k1', 10))
  assert.deepEqual(new Map(index.entries()).get('agent:main:new'), entry('agent:main:new', 9))
  index.clear()
  assert.equal(index.size, 0)
  assert.equal(index.has('agent:main:k0'), false)
  assert.deepEqual([...index.keys()], [])
})

test('session index: growth, rehashing and arena compaction keep every entry intact', () => {
  const index = new SessionIndex()
  const model = new Map<string, SessionEntry>()
  const random = rng(42)
  for (let op = 0; op < 30_000; op++) {
    const key = `agent:main:s-${Math.floor(random() * 3_000)}${random() < 0.05 ? '-é' : ''}`
    if (random() < 0.2) {
      assert.equal(index.delete(key), model.delete(key), `delete ${key} at op ${op}`)
      continue
    }
    // Previews of varying length: every rewrite leaves the old record as arena garbage.
    const e = entry(key, op, { lastMessagePreview: 'p'.repeat(Math.floor(random() * 160)), ...(random() < 0.3 ? { label: `L${op}` } : {}) })
    index.set(key, e)
    model.set(key, e)
  }
  assert.equal(index.size, model.size)
  for (const [key, e] of model) assert.deepEqual(index.get(key), e, key)
  assert.deepEqual(new Set(index.keys()), new Set(model.keys()))
  const { arenaBytes, arenaUsed, garbageBytes } = index.stats()
  const liveBytes = arenaUsed - garbageBytes
  // 30,000 writes of up to ~200 bytes would be ~3 MB without compaction.
  assert.ok(arenaBytes <= Math.max(16 * 1024, 4 * liveBytes), `arena ${arenaBytes} B for ${liveBytes} live bytes`)
  assert.ok(index.slotLimit <= 3_000 * 2, 'freed slots are reused')
})

test('session index: search matches what toLowerCase().includes() would, ASCII or not', () => {
  const index = new SessionIndex()
  const strings = ['agent:main:Seed-9', 'Straße', 'ÄRGER im Büro', 'KELVIN \u212A', 'İstanbul', 'plain TEXT', 'emoji 🎉 party', 'lone \uD800 surrogate']
  const entries = strings.map((s, i) => entry(`agent:main:e${i}`, i, i % 2 === 0 ? { lastMessagePreview: s } : { label: s, displayName: `d-${s}` }))
  entries.push(entry('agent:main:Seed-9', 99))
  for (const e of entries) index.set(e.key, e)
  const needles = ['seed-9', 'straße', 'ärger', 'büro', 'k', 'i̇stanbul', 'text', '🎉', 'e9', 'd-plain', 'zzz', '', '\uD800']
  for (const needle of needles) {
    for (const e of entries) {
      const expected = [e.key, e.label, e.displayName, e.lastMessagePreview].some((s) => s !== undefined && s.toLowerCase().includes(needle))
      assert.equal(index.matches(index.slotOf(e.key), needleOf(needle)), expected, `"${needle}" in ${JSON.stringify(e)}`)
    }
  }
})

const ID = '0b1e7edc-e1c7-46a3-83b3-e1e79863b3f5'
const BASE = `"key":"agent:main:s1","agentId":"main","sessionId":"${ID}","createdAt":1796486831261,"updatedAt":1796486831263,"messageCount":2,"inputTokens":10,"outputTokens":20,"totalTokens":30`

/** Snapshot lines: whether the byte reader takes them, and the object JSON.parse makes of them. */
const LINES: Array<[string, boolean]> = [
  [`"agent:main:s1":{${BASE},"lastMessagePreview":"assistant message 1 about topic 1"},`, true],
  [`"agent:main:s1":{${BASE},"model":"gpt-4o","channel":"webchat","thinkingLevel":"low","modelProvider":"openai"}`, true],
  [`"agent:main:s1":{${BASE},"origin":{"a":[1,-2.5e3,{"b":"c\\"d \\u00e9"}],"n":null,"t":true},"archived":false,"pinned":true},`, true],
  [`"agent:main:s1":{"label":"café ☕ 日本","displayName":"Ünï",${BASE},"lastMessagePreview":"ça va"},`, true],
  [`"agent:main:s1":{${BASE},"label":null,"archived":"yes","messageCountX":-5},`, true],
  [`"agent:main:s1":{${BASE},"lastMessagePreview":"he said \\"hi\\""},`, false],
  [`"agent:main:s1":{${BASE.replace('1796486831263', '1796486831263.5')}},`, false],
  [`"agent:main:s1":{${BASE},"label":"a","label":"b"},`, false],
  [`"agent:main:s1":{${BASE},"lastMessagePreview":"lone \\ud800"},`, false],
  [`"agent:main:é":{${BASE.replace('agent:main:s1', 'agent:main:é')}},`, false],
  [`"agent:main:s1":{ ${BASE}},`, false]
]

test('snapshot lines: the byte reader gives exactly what JSON.parse gives, and leaves unusual lines to it', () => {
  const line = new EntryLine()
  for (const [text, plain] of LINES) {
    const buf = Buffer.from(text)
    assert.equal(line.parse(buf, 0, buf.length), plain, text)
    const [key, value] = Object.entries(JSON.parse(`{${text.replace(/,$/, '')}}`) as Record<string, SessionEntry>)[0]!
    const viaJson = new SessionIndex()
    viaJson.set(key, value)
    assert.deepEqual(viaJson.get(key), value, `set: ${text}`)
    if (!plain) continue
    const viaBytes = new SessionIndex()
    viaBytes.setLine(line, buf)
    assert.deepEqual(viaBytes.get(key), value, `setLine: ${text}`)
    assert.equal(viaBytes.matches(viaBytes.slotOf(key), needleOf('é')), viaJson.matches(viaJson.slotOf(key), needleOf('é')))
  }
})

test('readIndex: a snapshot mixing plain and unusual lines loads as JSON.parse reads it; a bad entry is corrupt', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'session-index-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'sessions.json')
  const lines = LINES.map(([text], i) => text.replace(/,$/, '').replaceAll('agent:main:s1', `agent:main:s${i}`).replaceAll('agent:main:é', `agent:main:é${i}`))
  const text = `{\n${lines.join(',\n')}\n}\n`
  await writeFile(file, text)
  const result = await readIndex(file)
  assert.equal(result.kind, 'ok')
  if (result.kind !== 'ok') return
  assert.equal(result.legacy, false)
  const expected = JSON.parse(text) as Record<string, SessionEntry>
  assert.equal(result.entries.size, Object.keys(expected).length)
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(result.entries.get(key), value, key)

  await writeFile(file, `{\n"agent:main:x":{${BASE.replace('agent:main:s1', 'agent:main:x').replace('"agentId":"main"', '"agentId":"ops"')}}\n}\n`)
  const bad = await readIndex(file)
  assert.equal(bad.kind, 'corrupt')
  assert.match(bad.kind === 'corrupt' ? bad.reason : '', /agentId mismatch/)
})
