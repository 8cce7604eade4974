// State-dir files: the generated token, the single-instance lock, the minimal config.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { acquireStateLock, ensureGeneratedToken, readLockPid, tokenFile, writeMinimalConfig } from '../src/config/state.js'
import { parseConfigText } from '../src/config/load.js'
import { StartupError } from '../src/errors/index.js'

async function tempDir (t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-state-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('generated token: created once at credentials/gateway-token (0600), then reused', async (t) => {
  const dir = await tempDir(t)
  const token = await ensureGeneratedToken(dir)
  assert.match(token, /^[0-9a-f]{64}$/)
  const file = tokenFile(dir)
  assert.equal(file, path.join(dir, 'credentials', 'gateway-token'))
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700)
  assert.equal(await ensureGeneratedToken(dir), token)
  assert.equal((await readFile(file, 'utf8')).trim(), token)
})

test('state lock: one holder per state dir; a live owner blocks with exit 78', async (t) => {
  const dir = await tempDir(t)
  const lock = await acquireStateLock(dir, { port: 1234 })
  assert.equal(await readLockPid(lock.file), process.pid)
  // Another process (pid 4242, "alive") holds it.
  await writeFile(lock.file, JSON.stringify({ pid: 4242, port: 1 }))
  await assert.rejects(acquireStateLock(dir, { port: 1234 }, (pid) => pid === 4242), (err: unknown) => {
    assert.ok(err instanceof StartupError)
    assert.equal(err.message, 'gateway already running (pid 4242)')
    assert.equal(err.exitCode, 78)
    return true
  })
  // Release does not remove a lock someone else owns.
  await lock.release()
  assert.equal(await readLockPid(lock.file), 4242)
})

test('state lock: a dead owner is stale and taken over; release removes the file', async (t) => {
  const dir = await tempDir(t)
  await writeFile(path.join(dir, 'gateway.lock'), JSON.stringify({ pid: 4242 }))
  const lock = await acquireStateLock(dir, { port: 1 }, () => false)
  assert.equal(await readLockPid(lock.file), process.pid)
  await lock.release()
  await assert.rejects(stat(lock.file), { code: 'ENOENT' })
})

test('minimal config: valid local config (0600), never overwrites an existing file', async (t) => {
  const dir = await tempDir(t)
  const file = path.join(dir, 'sub', 'openclaw.json')
  assert.equal(await writeMinimalConfig(file), true)
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  const text = await readFile(file, 'utf8')
  assert.equal(parseConfigText(file, text, {}).config.gateway?.mode, 'local')
  await writeFile(file, '{ gateway: { mode: "remote" } }')
  assert.equal(await writeMinimalConfig(file), false)
  assert.equal(await readFile(file, 'utf8'), '{ gateway: { mode: "remote" } }')
})
