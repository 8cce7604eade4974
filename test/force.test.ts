// `--force` against this state dir's own gateway (stopLockOwner), on fake
// processes and a fake clock: who gets signalled, in what order, and who never does.
// The real-process paths are in cli-gateway.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { StartupError } from '../src/errors/index.js'
import { stopLockOwner, type ProcessControl } from '../src/force.js'

interface FakeProcess {
  pid: number
  gateway: boolean
  /** The port it listens on (from `listensAt` on the fake clock). */
  port?: number
  listensAt?: number
  ignores?: Array<'SIGTERM' | 'SIGKILL'>
  /** Its listening socket outlives it until this time (a child holding it, say). */
  socketUntil?: number
}

/** A process table and a clock that moves only when someone sleeps. */
function fakeHost (procs: FakeProcess[]) {
  let clock = 0
  const dead = new Set<number>()
  const signals: Array<[number, string]> = []
  const find = (pid: number) => procs.find((p) => p.pid === pid)
  const running = (pid: number) => find(pid) !== undefined && !dead.has(pid)
  const pc: ProcessControl = {
    isRunning: async (pid) => running(pid),
    isGateway: async (pid) => find(pid)?.gateway === true,
    listeningPids: async (port) => procs
      .filter((p) => p.port === port && clock >= (p.listensAt ?? 0) && (running(p.pid) || clock < (p.socketUntil ?? 0)))
      .map((p) => p.pid),
    kill: (pid, signal) => {
      signals.push([pid, signal])
      if (!running(pid)) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' })
      if (!(find(pid)!.ignores ?? []).includes(signal)) dead.add(pid)
    },
    now: () => clock,
    sleep: async (ms) => { clock += ms }
  }
  return { pc, signals, now: () => clock, running }
}

async function stateDir (t: TestContext, lock?: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-force-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  if (lock !== undefined) await writeFile(path.join(dir, 'gateway.lock'), JSON.stringify(lock))
  return dir
}

const refusedUnverified = (pid: number) => (err: unknown) => {
  assert.ok(err instanceof StartupError)
  assert.equal(err.code, 'GATEWAY_LOCKED')
  assert.equal(err.exitCode, 78)
  assert.match(err.message, new RegExp(`^gateway already running \\(pid ${pid}\\), but --force cannot verify it`))
  return true
}

test('no lock, a dead owner, or our own pid: nothing to stop, nobody signalled', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000 }])
  assert.equal(await stopLockOwner(await stateDir(t), {}, host.pc), undefined)
  assert.equal(await stopLockOwner(await stateDir(t, { pid: 51, port: 7000 }), {}, host.pc), undefined)
  assert.equal(await stopLockOwner(await stateDir(t, { pid: 50, port: 7000 }), { self: 50 }, host.pc), undefined)
  assert.deepEqual(host.signals, [])
})

test('the lock owner, a gateway on the lock port, gets SIGTERM and is waited for', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000 }, { pid: 60, gateway: true, port: 7001 }])
  const dir = await stateDir(t, { pid: 50, port: 7000, startedAt: 1 })
  assert.deepEqual(await stopLockOwner(dir, {}, host.pc), { pid: 50, port: 7000, signal: 'SIGTERM' })
  assert.deepEqual(host.signals, [[50, 'SIGTERM']], 'only the pid the lock names')
  assert.equal(host.running(50), false)
  assert.equal(host.running(60), true)
})

test('an owner that ignores SIGTERM gets SIGKILL after the grace period', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000, ignores: ['SIGTERM'] }])
  const dir = await stateDir(t, { pid: 50, port: 7000 })
  assert.deepEqual(await stopLockOwner(dir, { graceMs: 4_000 }, host.pc), { pid: 50, port: 7000, signal: 'SIGKILL' })
  assert.deepEqual(host.signals, [[50, 'SIGTERM'], [50, 'SIGKILL']])
  assert.ok(host.now() >= 4_000, `SIGKILL came at ${host.now()} ms, before the grace period`)
})

test('an owner that survives SIGKILL fails the start (exit 1) after a bounded wait', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000, ignores: ['SIGTERM', 'SIGKILL'] }])
  const dir = await stateDir(t, { pid: 50, port: 7000 })
  await assert.rejects(stopLockOwner(dir, { graceMs: 1_000 }, host.pc), (err: unknown) => {
    assert.ok(err instanceof StartupError)
    assert.equal(err.code, 'FORCE_FAILED')
    assert.equal(err.exitCode, 1)
    return true
  })
  assert.deepEqual(host.signals, [[50, 'SIGTERM'], [50, 'SIGKILL']])
})

test('returns only once the port it held is free', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000, socketUntil: 1_500 }])
  const dir = await stateDir(t, { pid: 50, port: 7000 })
  assert.equal((await stopLockOwner(dir, {}, host.pc))?.signal, 'SIGTERM')
  assert.ok(host.now() >= 1_500, `returned at ${host.now()} ms with the port still held`)
  assert.deepEqual(await host.pc.listeningPids(7000), [])
})

test('a gateway still starting is given time to listen, then stopped', async (t) => {
  const host = fakeHost([{ pid: 50, gateway: true, port: 7000, listensAt: 2_000 }])
  const dir = await stateDir(t, { pid: 50, port: 7000 })
  assert.equal((await stopLockOwner(dir, { verifyMs: 5_000 }, host.pc))?.pid, 50)
  assert.deepEqual(host.signals, [[50, 'SIGTERM']])
})

test('a live owner that cannot be verified is never signalled: the start is refused (exit 78)', async (t) => {
  const cases: Array<[string, FakeProcess, Record<string, unknown>]> = [
    ['not a gateway command line (a recycled pid)', { pid: 50, gateway: false, port: 7000 }, { pid: 50, port: 7000 }],
    ['a gateway, but not listening on the lock port', { pid: 50, gateway: true, port: 7001 }, { pid: 50, port: 7000 }],
    ['a lock without a port', { pid: 50, gateway: true, port: 7000 }, { pid: 50 }]
  ]
  for (const [name, proc, lock] of cases) {
    const host = fakeHost([proc])
    await assert.rejects(stopLockOwner(await stateDir(t, lock), { verifyMs: 1_000 }, host.pc), refusedUnverified(50), name)
    assert.deepEqual(host.signals, [], name)
    assert.equal(host.running(50), true, name)
  }
})
