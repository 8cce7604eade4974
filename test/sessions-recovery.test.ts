import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { Mode, PathLike } from 'node:fs'
import { appendFile, mkdtemp, open, readdir, readFile, rename, rm, unlink, writeFile, type FileHandle } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  createFileSessionStore,
  type FileSessionStore,
  type FileSessionStoreOptions,
  type SessionEntry,
  type SessionWarning,
  type TranscriptMessage
} from '../src/sessions/index.js'
import { readIndexFiles, restoreRawIndex, saveRawIndex, writeIndexFiles } from './support/session-files.js'
import { waitFor } from './support/wait.js'

interface Harness {
  stateDir: string
  warnings: SessionWarning[]
  open(extra?: Partial<FileSessionStoreOptions>): FileSessionStore
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
    open (extra = {}) {
      const store = createFileSessionStore({ stateDir, onWarning: (w) => warnings.push(w), ...extra })
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

const logOf = (stateDir: string): string => path.join(dirOf(stateDir), 'sessions.log')

test('a turn appends one line to the index log; sessions.json is not rewritten per turn', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:a', [msg(0)])
  const snapshot = await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8')
  const logBefore = (await readFile(logOf(h.stateDir), 'utf8')).split('\n').length
  await store.append('agent:main:b', [msg(1)])
  await store.append('agent:main:a', [msg(2)])
  assert.equal(await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8'), snapshot, 'the snapshot stays as it was')
  const lines = (await readFile(logOf(h.stateDir), 'utf8')).split('\n')
  assert.equal(lines.length - logBefore, 2, 'one log line per committed turn')
  assert.deepEqual(JSON.parse(lines[lines.length - 2]!).e.messageCount, 2)
  await store.close()
  const closed = JSON.parse(await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8'))
  assert.deepEqual([closed['agent:main:a'].messageCount, closed['agent:main:b'].messageCount], [2, 1], 'a clean close leaves sessions.json current for tools that read only it')
})

test('a torn last line of the index log is cut on load; acknowledged turns survive', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:a', [msg(0), msg(1)])
  await store.append('agent:main:b', [msg(0)])
  const raw = await saveRawIndex(dirOf(h.stateDir))
  await store.close()
  // As the process left them when it died mid-append (a clean close would have compacted).
  await restoreRawIndex(dirOf(h.stateDir), raw)
  await appendFile(logOf(h.stateDir), '{"k":"agent:main:a","e":{"key":"agent:ma')
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:a'))?.messageCount, 2)
  assert.equal((await reopened.get('agent:main:b'))?.messageCount, 1)
  assert.ok(h.warnings.some((w) => w.code === 'INDEX_REPAIRED' && w.path === logOf(h.stateDir)))
  await reopened.append('agent:main:a', [msg(2)])
  const text = await readFile(logOf(h.stateDir), 'utf8')
  for (const line of text.split('\n').slice(0, -1)) JSON.parse(line)
})

test('a corrupt line inside the index log sets the log aside and rebuilds from transcripts', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:a', [msg(0), msg(1)])
  await store.patch('agent:main:a', { label: 'kept' })
  await store.append('agent:main:b', [msg(0)])
  const raw = await saveRawIndex(dirOf(h.stateDir))
  await store.close()
  await restoreRawIndex(dirOf(h.stateDir), raw)
  const lines = (await readFile(logOf(h.stateDir), 'utf8')).split('\n')
  lines.splice(1, 0, '{"k":"agent:main:a","e":{"sessionId":"../../etc/passwd"}}')
  await writeFile(logOf(h.stateDir), lines.join('\n'))
  const reopened = h.open()
  const a = await reopened.get('agent:main:a')
  assert.deepEqual([a?.messageCount, a?.label], [2, 'kept'])
  assert.equal((await reopened.get('agent:main:b'))?.messageCount, 1)
  assert.deepEqual(h.warnings.filter((w) => w.code.startsWith('INDEX_')).map((w) => w.code), ['INDEX_CORRUPT', 'INDEX_REBUILT'])
  assert.ok((await readdir(dirOf(h.stateDir))).some((n) => n.startsWith('sessions.log.corrupt-')))
})

test('an index in the older whole-object layout is migrated on first start, with a backup', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:a', [msg(0)])
  await store.append('agent:main:b', [msg(0), msg(1)])
  const index = await readIndexFiles(dirOf(h.stateDir))
  await store.close()
  const legacy = JSON.stringify(index, null, 2)
  await writeIndexFiles(dirOf(h.stateDir), index)
  await writeFile(path.join(dirOf(h.stateDir), 'sessions.json'), legacy)
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:b'))?.messageCount, 2)
  assert.ok(h.warnings.some((w) => w.code === 'INDEX_MIGRATED'))
  const names = await readdir(dirOf(h.stateDir))
  const backup = names.find((n) => n.startsWith('sessions.json.bak-'))
  assert.ok(backup, names.join(','))
  assert.equal(await readFile(path.join(dirOf(h.stateDir), backup), 'utf8'), legacy)
  const migrated = await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8')
  assert.deepEqual(JSON.parse(migrated), index, 'still one JSON object that OpenClaw tools can read')
  assert.ok(migrated.startsWith('{\n"agent:main:'), 'one entry per line')
})

test('compaction folds the log into sessions.json without losing turns made meanwhile', async (t) => {
  const h = await harness(t)
  const store = h.open({ indexCompactMinLines: 5 })
  const keys = Array.from({ length: 8 }, (_, i) => `agent:main:k${i}`)
  await Promise.all(keys.flatMap((key) => [0, 1, 2].map((n) => store.append(key, [msg(n)]))))
  await store.close()
  const log = await readFile(logOf(h.stateDir), 'utf8').catch(() => '')
  assert.ok(log.split('\n').length <= 24, `the log was folded (${log.split('\n').length} lines left)`)
  assert.ok(!(await readdir(dirOf(h.stateDir))).includes('sessions.log.1'), 'no rotated log left after a clean close')
  const snapshot = JSON.parse(await readFile(path.join(dirOf(h.stateDir), 'sessions.json'), 'utf8'))
  assert.ok(Object.keys(snapshot).length >= 1)
  const reopened = h.open()
  for (const key of keys) assert.equal((await reopened.get(key))?.messageCount, 3, key)
})

test('an interrupted compaction (sessions.log.1 left behind) is replayed and finished on load', async (t) => {
  const h = await harness(t)
  const store = h.open()
  await store.append('agent:main:a', [msg(0)])
  await store.append('agent:main:a', [msg(1)])
  const raw = await saveRawIndex(dirOf(h.stateDir))
  await store.close()
  // The process died after rotating the log, before the new snapshot was in place.
  await restoreRawIndex(dirOf(h.stateDir), raw)
  await rename(logOf(h.stateDir), `${logOf(h.stateDir)}.1`)
  await writeFile(logOf(h.stateDir), '')
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:a'))?.messageCount, 2)
  await reopened.append('agent:main:b', [msg(0)])
  await reopened.close()
  assert.ok(!(await readdir(dirOf(h.stateDir))).includes('sessions.log.1'), 'the compaction was finished')
  const again = h.open()
  assert.deepEqual([(await again.get('agent:main:a'))?.messageCount, (await again.get('agent:main:b'))?.messageCount], [2, 1])
})

test('after an unclean shutdown only the keys the log names are rechecked, not every transcript', async (t) => {
  const h = await harness(t)
  const store = h.open()
  const named = await store.append('agent:main:named', [msg(0)])
  const quiet = await store.append('agent:main:quiet', [msg(0)])
  await store.close()
  // Start a fresh log (a migrated index): only the touch line below will name a key.
  const index = await readIndexFiles(dirOf(h.stateDir))
  await writeIndexFiles(dirOf(h.stateDir), index)
  const migrating = h.open()
  await migrating.get('agent:main:named')
  await migrating.close()
  // The dead process touched "named", wrote its transcript, and died before the index line.
  await appendFile(logOf(h.stateDir), '{"k":"agent:main:named","t":1}\n')
  await appendFile(transcriptOf(h.stateDir, named), JSON.stringify({ type: 'message', ...msg(1) }) + '\n')
  // Not a write the store could make: it shows that untouched transcripts are not read.
  await appendFile(transcriptOf(h.stateDir, quiet), JSON.stringify({ type: 'message', ...msg(1) }) + '\n')
  await writeFile(path.join(dirOf(h.stateDir), 'sessions.dirty'), '')
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:named'))?.messageCount, 2, 'the touched key caught up')
  assert.equal((await reopened.get('agent:main:quiet'))?.messageCount, 1, 'an untouched key was trusted')
})

/** Wraps fs.open so writes to files `failing` accepts write half their bytes, then fail with ENOSPC. */
function fullDisk (failing: (file: string) => boolean): NonNullable<FileSessionStoreOptions['openFile']> {
  const fail = async (target: FileHandle, data: string | Uint8Array): Promise<never> => {
    const buf = Buffer.from(data)
    await target.write(buf.subarray(0, buf.length >> 1))
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  }
  return (async (file: PathLike, flags?: string | number, mode?: Mode) => {
    const handle = await open(file, flags, mode)
    return new Proxy(handle, {
      get (target, prop) {
        if ((prop === 'appendFile' || prop === 'write' || prop === 'writeFile') && failing(String(file))) return (data: string | Uint8Array) => fail(target, data)
        const value = Reflect.get(target, prop, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }) as NonNullable<FileSessionStoreOptions['openFile']>
}

test('a full disk fails the turn with SESSION_DISK_FULL and leaves no partial line anywhere', async (t) => {
  const h = await harness(t)
  let full: 'transcript' | 'log' | undefined
  const store = h.open({ openFile: fullDisk((file) => (full === 'transcript' && file.endsWith('.jsonl')) || (full === 'log' && file.endsWith('sessions.log'))) })
  const first = await store.append('agent:main:a', [msg(0)])
  full = 'transcript'
  await assert.rejects(store.append('agent:main:a', [msg(1, { content: 'y'.repeat(5000) })]), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SESSION_DISK_FULL')
    assert.match(err.message, /disk is full/)
    return true
  })
  const transcript = await readFile(transcriptOf(h.stateDir, first), 'utf8')
  assert.ok(transcript.endsWith('\n') && !transcript.includes('yyyy'), 'the half-written record was cut back')
  assert.equal((await store.get('agent:main:a'))?.messageCount, 1)

  full = 'log'
  await assert.rejects(store.append('agent:main:a', [msg(2)]), { code: 'SESSION_DISK_FULL' })
  const log = await readFile(logOf(h.stateDir), 'utf8')
  assert.ok(log.endsWith('\n'), 'the half-written index line was cut back')
  for (const line of log.split('\n').slice(0, -1)) JSON.parse(line)

  full = undefined
  await store.append('agent:main:a', [msg(3)])
  assert.deepEqual((await store.history('agent:main:a')).map((m) => m.id), ['m0', 'm2', 'm3'], 'the transcript kept the turn whose index line failed')
  await store.close()
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:a'))?.messageCount, 3, 'and the index caught up with it')
})

test('a compaction that hits a full disk keeps the old snapshot and the log, reports it, and turns go on', async (t) => {
  const h = await harness(t)
  let full = false
  const store = h.open({ indexCompactMinLines: 3, openFile: fullDisk((file) => full && file.endsWith('.tmp')) })
  await store.append('agent:main:a', [msg(0)])
  full = true
  for (let i = 1; i <= 6; i++) await store.append('agent:main:a', [msg(i)])
  await waitFor('a failed compaction', () => h.warnings.some((w) => w.code === 'INDEX_COMPACT_FAILED'))
  assert.match(h.warnings.find((w) => w.code === 'INDEX_COMPACT_FAILED')!.message, /disk is full/)
  assert.equal((await readIndexFiles(dirOf(h.stateDir)))['agent:main:a']?.messageCount, 7, 'snapshot plus logs still hold every turn')
  assert.ok(!(await readdir(dirOf(h.stateDir))).some((n) => n.endsWith('.tmp')), 'no temp file left behind')
  full = false
  await store.close()
  const reopened = h.open()
  assert.equal((await reopened.get('agent:main:a'))?.messageCount, 7)
})
