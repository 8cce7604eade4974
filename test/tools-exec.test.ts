import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { GatewayConfig } from '../schemas/config.js'
import type { SessionStore } from '../src/sessions/types.js'
import { createToolRegistry, execTimeoutSeconds, registerBuiltinTools, type ToolContext, type ToolResult } from '../src/tools/index.js'
import { waitFor } from './support/wait.js'

const ENABLED: GatewayConfig = { tools: { exec: { enabled: true } } }

async function setup (t: TestContext, opts: { env?: Record<string, string> } = {}) {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'tools-exec-')))
  t.after(() => rm(base, { recursive: true, force: true }))
  const ws = path.join(base, 'ws')
  const registry = createToolRegistry()
  registerBuiltinTools(registry, { exec: { killGraceMs: 200, ...(opts.env ? { env: opts.env } : {}) } })
  const ctx = (signal = new AbortController().signal): ToolContext => ({
    agentId: 'main',
    sessionKey: 'agent:main:main',
    runId: 'run-1',
    workspace: ws,
    signal,
    sessions: {} as SessionStore,
    now: () => 0
  })
  const call = (args: unknown, config: GatewayConfig = ENABLED, signal?: AbortSignal): Promise<ToolResult> =>
    registry.invoke('exec', args, ctx(signal), config, 'main')
  return { base, ws, registry, call }
}

function assertToolError (result: ToolResult, code: string, pattern?: RegExp): void {
  assert.equal(result.isError, true, `expected an error result, got: ${result.content}`)
  assert.equal((result.details as { code?: string }).code, code, result.content)
  if (pattern) assert.match(result.content, pattern)
}

/** A killed orphan stays a zombie until PID 1 reaps it, which some containers never do: zombies count as dead. */
async function alive (pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : undefined))
  if (stat === '') return false
  if (stat !== undefined) return !/^\d+ \(.*\) Z/.test(stat)
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function readPid (file: string): Promise<number> {
  await waitFor(`${file}`, () => readFile(file, 'utf8').then((s) => s.trim() !== '', () => false))
  return Number((await readFile(file, 'utf8')).trim())
}

test('exec is registered but disabled unless tools.exec.enabled is true', async (t) => {
  const { ws, registry, call } = await setup(t)
  const def = registry.get('exec')
  assert.ok(def)
  assert.equal(def.ownerOnly, true)
  assert.ok(!registry.available({}, 'main').some((d) => d.name === 'exec'))
  assert.ok(!registry.available({ tools: { exec: { enabled: false } } }, 'main').some((d) => d.name === 'exec'))
  assertToolError(await call({ command: 'mkdir marker' }, {}), 'TOOL_NOT_AVAILABLE')
  await assert.rejects(stat(path.join(ws, 'marker')), { code: 'ENOENT' }, 'the command never ran')
})

test('enabled exec runs /bin/sh in the workspace', async (t) => {
  const { ws, call } = await setup(t)
  const res = await call({ command: 'echo hello' })
  assert.deepEqual([res.content, res.isError], ['hello', undefined])
  assert.deepEqual(res.details, { exitCode: 0, signal: null, timedOut: false, aborted: false, truncated: false })
  assert.equal((await call({ command: 'pwd' })).content, ws)
  await mkdir(path.join(ws, 'sub'))
  assert.equal((await call({ command: 'pwd', cwd: 'sub' })).content, path.join(ws, 'sub'))
  assertToolError(await call({ command: 'pwd', cwd: '..' }), 'TOOL_PATH_ESCAPE')
})

test('background jobs do not keep exec waiting or outlive the command', async (t) => {
  const { ws, call } = await setup(t)
  const started = Date.now()
  const res = await call({ command: 'sleep 30 & echo $! > bg.pid; echo done', timeoutSeconds: 20 })
  assert.equal(res.content, 'done')
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`)
  const pid = await readPid(path.join(ws, 'bg.pid'))
  await waitFor('background job to be reaped', async () => !(await alive(pid)))
})

test('exec reports a non-zero exit as an error with its output', async (t) => {
  const { call } = await setup(t)
  const res = await call({ command: 'echo oops >&2; exit 3' })
  assert.equal(res.isError, true)
  assert.equal(res.content, 'oops\n\n[exit code 3]')
})

test('exec does not inherit the gateway environment', async (t) => {
  const { call } = await setup(t, { env: { GREETING: 'hi' } })
  const key = 'TOOLS_EXEC_TEST_SECRET'
  process.env[key] = 'leaked'
  t.after(() => { delete process.env[key] })
  const res = await call({ command: `echo "\${${key}:-unset} $GREETING"` })
  assert.equal(res.content, 'unset hi')
})

test('exec times out and kills the whole process group', async (t) => {
  const { ws, call } = await setup(t)
  const started = Date.now()
  // A background child that would outlive a plain kill of the shell.
  const res = await call({ command: 'sleep 30 & echo $! > bg.pid; echo started; wait', timeoutSeconds: 1 })
  assert.ok(Date.now() - started < 5_000, 'returned promptly')
  assert.equal(res.isError, true)
  assert.match(res.content, /^started\n\n\[timed out after 1s; the process group was killed\]$/)
  assert.equal((res.details as { timedOut: boolean }).timedOut, true)
  const pid = await readPid(path.join(ws, 'bg.pid'))
  await waitFor('background child to die', async () => !(await alive(pid)))
})

test('the configured timeout is the default and the ceiling', async (t) => {
  assert.equal(execTimeoutSeconds({}), 60)
  assert.equal(execTimeoutSeconds({ tools: { exec: { timeoutSeconds: 5_000 } } }), 600)
  assert.equal(execTimeoutSeconds({ tools: { exec: { timeoutSeconds: 10 } } }, 300), 10)
  assert.equal(execTimeoutSeconds({ tools: { exec: { timeoutSeconds: 10 } } }, 3), 3)
  const { call } = await setup(t)
  const res = await call({ command: 'sleep 30', timeoutSeconds: 600 }, { tools: { exec: { enabled: true, timeoutSeconds: 1 } } })
  assert.match(res.content, /timed out after 1s/)
})

test('aborting the run kills the command', async (t) => {
  const { ws, call } = await setup(t)
  const ac = new AbortController()
  const pending = call({ command: 'echo $$ > sh.pid; sleep 30' }, ENABLED, ac.signal)
  const pid = await readPid(path.join(ws, 'sh.pid'))
  assert.ok(await alive(pid))
  ac.abort()
  assertToolError(await pending, 'TOOL_ABORTED')
  await waitFor('shell to die', async () => !(await alive(pid)))
})

test('exec output is capped, keeping the head and the tail', async (t) => {
  const { call } = await setup(t)
  const res = await call({ command: 'echo FIRST; head -c 300000 /dev/zero | tr "\\0" x; echo; echo LAST' })
  assert.equal(res.isError, undefined)
  assert.ok(Buffer.byteLength(res.content) < 64 * 1024, `${Buffer.byteLength(res.content)} bytes`)
  assert.match(res.content, /^FIRST\n/)
  assert.match(res.content, /\[\.\.\. \d+ bytes of output omitted \.\.\.\]/)
  assert.match(res.content, /LAST\n\n\[output truncated: 300012 bytes total\]$/)
})
