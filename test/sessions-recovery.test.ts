import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFile, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  createFileSessionStore,
  type FileSessionStore,
  type SessionEntry,
  type SessionWarning,
  type TranscriptMessage
} from '../src/sessions/index.js'
import { readIndexFiles, writeIndexFiles } from './support/session-files.js'

interface Harness {
  stateDir: string
  warnings: SessionWarning[]
  open(): FileSessionStore
}

async function harness (t: TestContext): Promise<Harness> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sessions-recovery-'))
  const warnings: SessionWarning[] = []
  const stores: FileSessionStore[] = []
  t.after(async () => {
    for (const s of stores) await s.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  return {
    stateDir,
    warnings,
    open () {
      const store = createFileSessionStore({ stateDir, onWarning: (w) => warnings.push(w) })
      stores.push(store)
      return store
    }
  }
}

function msg (n: number, extra: Partial<TranscriptMessage> = {}): TranscriptMessage {
  return { id: `m${n}`, role: 'user', content: `message ${n}`, timestamp: 1_000 + n, ...extra }
}

const dirOf = (stateDir: string, agentId = 'main'): string => path.join(stateDir, 'agents', agentId, 'sessions')
const transcriptOf = (stateDir: string, e: SessionEntry): string => path.join(dirOf(stateDir, e.agentId), `${e.sessionId}.jsonl`)
const withoutUpdatedAt = ({ updatedAt: _u, ...rest }: SessionEntry): Omit<SessionEntry, 'updatedAt'> => rest

test('the index is rebuilt from transcripts after sessions.json is deleted', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:main', [msg(0, { channel: 'telegram' }), msg(1, { role: 'assistant', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } })])
  await store.patch('agent:main:main', { label: 'Main', model: 'm1', pinned: true })
  await store.patch('agent:main:main', { model: null })
  await store.append('agent:main:reset-me', [msg(0)])
  await store.patch('agent:main:reset-me', { displayName: 'Carried' })
  await store.reset('agent:main:reset-me')
  await store.append('agent:main:reset-me', [msg(9)])
  await store.append('agent:main:gone', [msg(0)])
  await store.delete('agent:main:gone')
  await store.ensure('agent:ops:empty')
  const before = (await store.list()).sessions
  assert.equal(before.find((e) => e.key === 'agent:main:main')?.channel, 'telegram', 'the entry keeps the channel of its last message')
  await store.close()

  await unlink(path.join(dirOf(h.stateDir), 'sessions.json'))
  await unlink(path.join(dirOf(h.stateDir, 'ops'), 'sessions.json'))
  const reopened = h.open()
  const after = (await reopened.list()).sessions
  assert.deepEqual(
    after.map(withoutUpdatedAt).sort((a, b) => a.key.localeCompare(b.key)),
    before.map(withoutUpdatedAt).sort((a, b) => a.key.localeCompare(b.key))
  )
  assert.equal((await reopened.get('agent:main:gone')), undefined, 'deleted sessions stay deleted')
  assert.deepEqual((await reopened.history('agent:main:reset-me')).map((m) => m.id), ['m9'])
  assert.ok(h.warnings.some((w) => w.code === 'INDEX_REBUILT' && w.agentId === 'main' && w.count === 2))
  const rewritten = JSON.parse(await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8'))
  assert.deepEqual(Object.keys(rewritten).sort(), ['agent:main:main', 'agent:main:reset-me'])
})

test('a corrupt index is set aside and rebuilt', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:x', [msg(0), msg(1)])
  await store.close()
  await writeFile(path.join(dirOf(h.stateDir), 'sessions.json'), '{"agent:main:x": {"sessionId": "../../etc/passwd"')
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:x'))?.messageCount, 2)
  assert.ok(h.warnings.some((w) => w.code === 'INDEX_CORRUPT'))
  assert.ok((await readdir(dirOf(h.stateDir))).some((n) => n.startsWith('sessions.json.corrupt-')))
})

test('a torn last line is truncated on first touch and appends continue cleanly', async (t) => {
  const h = await harness(t)
  const store = h.open()
  const entry = await store.append('agent:main:torn', [msg(0), msg(1), msg(2)])
  await store.close()
  const file = transcriptOf(h.stateDir, entry)
  const partial = JSON.stringify({ type: 'message', ...msg(3) }).slice(0, 25)
  await appendFile(file, partial)

  const reopened = h.open()
  assert.deepEqual((await reopened.history('agent:main:torn')).map((m) => m.id), ['m0', 'm1', 'm2'])
  assert.ok(h.warnings.some((w) => w.code === 'TRANSCRIPT_TORN_TAIL' && w.count === partial.length))
  await reopened.append('agent:main:torn', [msg(4)])
  assert.deepEqual((await reopened.history('agent:main:torn')).map((m) => m.id), ['m0', 'm1', 'm2', 'm4'])
  const lines = (await readFile(file, 'utf8')).split('\n')
  assert.equal(lines.pop(), '')
  assert.equal(lines.length, 5)
  for (const line of lines) JSON.parse(line)
})

test('unparsable lines in the middle are skipped and reported, never fatal', async (t) => {
  const h = await harness(t)
  const store = h.open()
  const entry = await store.append('agent:main:bad', [msg(0)])
  await store.close()
  const file = transcriptOf(h.stateDir, entry)
  await appendFile(file, '{"type":"message","id":\n\u0000\u0000garbage\n' + JSON.stringify({ type: 'message', ...msg(1) }) + '\n')

  const reopened = h.open()
  assert.deepEqual((await reopened.history('agent:main:bad')).map((m) => m.id), ['m0', 'm1'])
  assert.ok(h.warnings.some((w) => w.code === 'TRANSCRIPT_BAD_LINES' && w.count === 2))
  await reopened.close()
  await unlink(path.join(dirOf(h.stateDir), 'sessions.json'))
  const rebuilt = h.open()
  assert.equal((await rebuilt.get('agent:main:bad'))?.messageCount, 2, 'rebuild counts only valid messages')
})

test('repair() reconciles a stale index, adopts orphans and truncates torn tails', async (t) => {
  const h = await harness(t)
  const store = h.open()
  const stale = await store.append('agent:main:stale', [msg(0)])
  const vanished = await store.append('agent:main:vanished', [msg(0), msg(1)])
  const orphan = await store.append('agent:main:orphan', [msg(0)])
  const index = await readIndexFiles(dirOf(h.stateDir))
  await store.append('agent:main:orphan', [msg(1)])
  await store.close()

  // Simulate a crash after the transcript write but before the index write, plus damage.
  delete index['agent:main:orphan']
  await writeIndexFiles(dirOf(h.stateDir), index)
  await appendFile(transcriptOf(h.stateDir, stale), JSON.stringify({ type: 'message', ...msg(1, { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }) }) + '\n{"type":"mess')
  await unlink(transcriptOf(h.stateDir, vanished))

  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:stale'))?.messageCount, 1, 'lazy load trusts the index')
  const report = await reopened.repair()
  assert.deepEqual(report, { agents: 1, sessions: 3, entriesFixed: 3, tornTails: 1, badLines: 0 })
  const fixedStale = await reopened.get('agent:main:stale')
  assert.deepEqual([fixedStale?.messageCount, fixedStale?.totalTokens], [2, 2])
  assert.equal((await reopened.get('agent:main:vanished'))?.messageCount, 0)
  assert.equal((await reopened.get('agent:main:orphan'))?.sessionId, orphan.sessionId)
  assert.equal((await reopened.get('agent:main:orphan'))?.messageCount, 2)
  assert.ok(!(await readFile(transcriptOf(h.stateDir, stale), 'utf8')).endsWith('{"type":"mess'))
  assert.deepEqual(await reopened.repair(), { agents: 1, sessions: 3, entriesFixed: 0, tornTails: 0, badLines: 0 }, 'idempotent')
})

test('after an unclean shutdown, interrupted deletes and resets are completed on load', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:del', [msg(0)])
  const oldReset = await store.append('agent:main:res', [msg(0), msg(1)])
  await store.append('agent:main:steady', [msg(0)])
  const snapshot = await readIndexFiles(dirOf(h.stateDir))
  await store.delete('agent:main:del')
  await store.reset('agent:main:res')
  const newReset = await store.append('agent:main:res', [msg(9)])
  await store.close()

  // The process "died" after the file operations but before any index write, without a clean close.
  await writeIndexFiles(dirOf(h.stateDir), snapshot)
  await writeFile(path.join(dirOf(h.stateDir), 'sessions.dirty'), '')
  const reopened = h.open()
  assert.equal(await reopened.get('agent:main:del'), undefined)
  const res = await reopened.get('agent:main:res')
  assert.deepEqual([res?.sessionId, res?.messageCount], [newReset.sessionId, 1])
  assert.notEqual(res?.sessionId, oldReset.sessionId)
  assert.equal((await reopened.get('agent:main:steady'))?.messageCount, 1)
  assert.ok(h.warnings.some((w) => w.code === 'INDEX_REPAIRED'))
})

test('repair() finishes an interrupted delete even without the unclean-shutdown marker', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:del', [msg(0)])
  const snapshot = await readIndexFiles(dirOf(h.stateDir))
  await store.delete('agent:main:del')
  await store.close()
  await writeIndexFiles(dirOf(h.stateDir), snapshot)
  const reopened = h.open()
  assert.ok(await reopened.get('agent:main:del'), 'without the marker the index is trusted')
  assert.equal((await reopened.repair()).entriesFixed, 1)
  assert.equal(await reopened.get('agent:main:del'), undefined)
})

/** A child that appends to two sessions in tight loops and reports each acknowledged message. */
function crashChildScript (stateDir: string): string {
  const storeUrl = new URL('../src/sessions/index.js', import.meta.url).href
  return `
    import { createFileSessionStore } from ${JSON.stringify(storeUrl)};
    const store = createFileSessionStore({ stateDir: ${JSON.stringify(stateDir)} });
    const pad = 'x'.repeat(16000);
    await Promise.all(['agent:main:crash-a', 'agent:main:crash-b'].map(async (key) => {
      for (let i = 0; ; i++) {
        await store.append(key, [{ id: String(i), role: 'user', content: i + ':' + pad, timestamp: i }]);
        process.stdout.write(key + ' ' + i + '\\n');
      }
    }));
  `
}

test('SIGKILL mid-append loses no acknowledged message and leaves a recoverable store', async (t) => {
  const h = await harness(t)
  const child = spawn(process.execPath, ['--input-type=module', '-e', crashChildScript(h.stateDir)], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL')
  })
  const acked = new Map<string, number>()
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  await new Promise<void>((resolve, reject) => {
    let buffered = ''
    let total = 0
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [key, i] = line.split(' ')
        acked.set(key, Number(i))
        total += 1
      }
      if (total >= 80 && acked.size === 2) resolve()
    })
    child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)))
  })
  process.kill(child.pid!, 'SIGKILL')
  assert.equal(await exited, 'SIGKILL')

  assert.ok((await readdir(dirOf(h.stateDir))).includes('sessions.dirty'), 'the killed process left its marker')
  const reopened = h.open()
  for (const [key, lastAcked] of acked) {
    // Without repair(): the marker makes the load recheck what the dead process wrote.
    const entry = (await reopened.get(key))!
    const history = await reopened.history(key)
    const lines = (await readFile(transcriptOf(h.stateDir, entry), 'utf8')).split('\n')
    assert.equal(lines.pop(), '', 'after the first touch the file ends on a record boundary')
    for (const line of lines) JSON.parse(line)
    assert.deepEqual(history.map((m) => m.id), history.map((_m, i) => String(i)), 'no gaps, no duplicates')
    assert.ok(history.length >= lastAcked + 1, `${key}: ${history.length} on disk, ${lastAcked + 1} acknowledged`)
    assert.ok(history.length <= lastAcked + 2, 'at most the one in-flight append beyond the last ack')
    assert.equal(entry.messageCount, history.length, 'index agrees with the transcript')
  }
  const report = await reopened.repair()
  assert.deepEqual([report.sessions, report.entriesFixed, report.badLines], [2, 0, 0], 'nothing left for the full pass')
  const repaired = (await reopened.list()).sessions.map(withoutUpdatedAt)
  await reopened.append('agent:main:crash-a', [msg(0)])
  await reopened.close()

  await unlink(path.join(dirOf(h.stateDir), 'sessions.json'))
  const rebuilt = h.open()
  const rebuiltA = (await rebuilt.get('agent:main:crash-a'))!
  const repairedA = repaired.find((e) => e.key === 'agent:main:crash-a')!
  assert.equal(rebuiltA.messageCount, repairedA.messageCount + 1)
  assert.deepEqual(withoutUpdatedAt((await rebuilt.get('agent:main:crash-b'))!), repaired.find((e) => e.key === 'agent:main:crash-b'))
})
