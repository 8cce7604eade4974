// src/logging: the human stdout format, value scrubbing, and file rotation.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { formatHuman } from '../src/logging/human.js'
import { LogFile } from '../src/logging/log-file.js'
import { createLogger } from '../src/logging/logger.js'
import { waitFor } from './support/wait.js'

const at = new Date(2026, 0, 5, 7, 8, 9).toISOString()

const read = (file: string) => readFile(file, 'utf8').catch(() => '')

async function tempDir (t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('human format: [HH:MM:ss] LEVEL: [subsystem] message {extras}', () => {
  const line = JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', subsystem: 'gateway', msg: 'listening on ws://127.0.0.1:1', url: 'ws://127.0.0.1:1' })
  assert.equal(formatHuman(line, false), '[07:08:09] INFO: [gateway] listening on ws://127.0.0.1:1 {"url":"ws://127.0.0.1:1"}\n')
  assert.equal(formatHuman(JSON.stringify({ level: 40, time: at, msg: 'plain' }), false), '[07:08:09] WARN: plain\n')
})

test('human format: colours only the level, and only when asked', () => {
  const line = JSON.stringify({ level: 50, time: at, msg: 'x' })
  assert.equal(formatHuman(line, true), '[07:08:09] \u001b[31mERROR\u001b[39m: x\n')
  assert.ok(!formatHuman(line, false).includes('\u001b'), 'no colour codes without a TTY')
})

test('human format: an error stack follows on indented lines; other keys stay JSON', () => {
  const line = JSON.stringify({ level: 50, time: at, subsystem: 'gateway', msg: 'fatal', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.js:1:1)' }, code: 7 })
  assert.equal(formatHuman(line, false), '[07:08:09] ERROR: [gateway] fatal {"code":7}\n    Error: boom\n        at f (x.js:1:1)\n')
})

test('human format: a line that is not JSON passes through', () => {
  assert.equal(formatHuman('not json', false), 'not json\n')
})

test('LogFile.scrub replaces every known secret value (4+ characters)', () => {
  const file = new LogFile({ pathFor: () => path.join(os.tmpdir(), `ocgw-scrub-${process.pid}.log`), maxFileBytes: 1024 * 1024 })
  file.setSecrets(['s3cr3t-value', 'abc', 'another-one'])
  assert.equal(file.scrub('a s3cr3t-value b s3cr3t-value c another-one abc'), 'a [REDACTED] b [REDACTED] c [REDACTED] abc')
  file.end()
})

test('the logger redacts sensitive keys by path before anything is written', async (t) => {
  const dir = await tempDir(t, 'ocgw-log-')
  const file = new LogFile({ pathFor: () => path.join(dir, 'g.log'), maxFileBytes: 1024 * 1024 })
  const logger = createLogger({ level: 'info', file })
  logger.info({ token: 'T1', password: 'P1', apiKey: 'K1', authorization: 'A1', headers: { authorization: 'Bearer B1' }, req: { headers: { authorization: 'Bearer B2', cookie: 'C1' } }, auth: { token: 'T2' }, maxTokens: 4096 }, 'm')
  // The destination opens asynchronously; the line lands once it is ready.
  await waitFor('the log line', async () => { file.flushSync(); return (await read(path.join(dir, 'g.log'))).trim() !== '' })
  const rec = JSON.parse((await readFile(path.join(dir, 'g.log'), 'utf8')).trim()) as Record<string, any>
  assert.equal(rec.token, '[REDACTED]')
  assert.equal(rec.password, '[REDACTED]')
  assert.equal(rec.apiKey, '[REDACTED]')
  assert.equal(rec.authorization, '[REDACTED]')
  assert.equal(rec.headers.authorization, '[REDACTED]')
  assert.equal(rec.req.headers.authorization, '[REDACTED]')
  assert.equal(rec.req.headers.cookie, '[REDACTED]')
  assert.equal(rec.auth.token, '[REDACTED]')
  assert.equal(rec.maxTokens, 4096, 'not everything with "token" in its name is a secret')
  file.end()
})

const line = (i: number) => `${i}${'x'.repeat(58)}\n` // 60 bytes: one per 100-byte file

/** A LogFile that rotates at 100 bytes and keeps two old files, in a temp dir removed after the test. */
async function smallRotatingLog (t: TestContext, prefix: string): Promise<{ dir: string, log: string, file: LogFile }> {
  const dir = await tempDir(t, prefix)
  const log = path.join(dir, 'g.log')
  const file = new LogFile({ pathFor: () => log, maxFileBytes: 100, keep: 2 })
  t.after(() => { file.end() })
  return { dir, log, file }
}

test('LogFile rotates at maxFileBytes and keeps .1 … .keep', async (t) => {
  const { dir, log, file } = await smallRotatingLog(t, 'ocgw-rot-')
  for (let i = 0; i < 5; i++) {
    file.write(line(i))
    await waitFor(`line ${i} in g.log`, async () => { file.flushSync(); return (await read(log)) === line(i) })
  }
  assert.deepEqual((await readdir(dir)).sort(), ['g.log', 'g.log.1', 'g.log.2'])
  assert.equal(await read(`${log}.1`), line(3))
  assert.equal(await read(`${log}.2`), line(2))
})

test('LogFile: a burst while the file is (re)opening loses no line', async (t) => {
  const { dir, log, file } = await smallRotatingLog(t, 'ocgw-burst-')
  const lines = Array.from({ length: 6 }, (_, i) => line(i))
  file.write(lines[0]!)
  await waitFor('the first line on disk', async () => { file.flushSync(); return (await read(log)) === lines[0] })
  // The next line rotates; the rest arrive while the new file is still opening.
  for (const l of lines.slice(1)) file.write(l)
  const all = async () => (await Promise.all(['g.log', 'g.log.1', 'g.log.2'].map((f) => read(path.join(dir, f))))).join('')
  await waitFor('every byte on disk', async () => { file.flushSync(); return (await all()).length === 360 })
  const text = await all()
  for (const l of lines) assert.ok(text.includes(l), `lost line ${l.slice(0, 1)}`)
})
