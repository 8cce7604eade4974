import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createFileSessionStore } from '../src/sessions/index.js'
import type { TranscriptMessage } from '../src/sessions/types.js'
import { assertToolError, builtinToolCaller } from './support/tools.js'

async function setup (t: TestContext, agentId = 'main') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tools-sessions-'))
  let clock = 1_700_000_000_000
  const sessions = createFileSessionStore({ stateDir: path.join(dir, 'state'), clock: () => clock })
  t.after(async () => {
    await sessions.close()
    await rm(dir, { recursive: true, force: true })
  })
  const msg = (text: string): TranscriptMessage => ({ id: `m-${clock}`, role: 'user', content: text, timestamp: clock })
  const seed = async (key: string, label?: string) => {
    clock += 1_000
    await sessions.append(key, [msg(`hello from ${key}`)])
    if (label !== undefined) await sessions.patch(key, { label })
  }
  const call = builtinToolCaller({ agentId, workspace: path.join(dir, 'ws'), sessions, now: () => clock })
  return { seed, call }
}

test('sessions_list returns only the calling agent sessions, newest first', async (t) => {
  const { seed, call } = await setup(t)
  await seed('agent:main:main')
  await seed('agent:ops:main')
  await seed('agent:main:support', 'Support queue')
  const res = await call('sessions_list', {})
  assert.equal(res.isError, undefined, res.content)
  const payload = JSON.parse(res.content) as { total: number, sessions: { key: string, label?: string, messageCount: number }[] }
  assert.equal(payload.total, 2)
  assert.deepEqual(payload.sessions.map((s) => s.key), ['agent:main:support', 'agent:main:main'])
  assert.equal(payload.sessions[0].label, 'Support queue')
  assert.equal(payload.sessions[0].messageCount, 1)
  assert.deepEqual(res.details, payload)
})

test('sessions_list honours limit and search', async (t) => {
  const { seed, call } = await setup(t)
  await seed('agent:main:a')
  await seed('agent:main:b', 'billing')
  await seed('agent:main:c')
  const limited = JSON.parse((await call('sessions_list', { limit: 1 })).content) as { total: number, sessions: { key: string }[] }
  assert.equal(limited.total, 3)
  assert.deepEqual(limited.sessions.map((s) => s.key), ['agent:main:c'])
  const found = JSON.parse((await call('sessions_list', { search: 'BILL' })).content) as { sessions: { key: string }[] }
  assert.deepEqual(found.sessions.map((s) => s.key), ['agent:main:b'])
  assertToolError(await call('sessions_list', { limit: 0 }), 'TOOL_INVALID_ARGS')
})

test('session_status reports the current session by default and another of the same agent on request', async (t) => {
  const { seed, call } = await setup(t)
  await seed('agent:main:main')
  await seed('agent:main:other', 'other one')
  const current = await call('session_status', {})
  assert.equal(current.isError, undefined, current.content)
  const status = JSON.parse(current.content) as { key: string, current: boolean, messageCount: number, updatedAt: string }
  assert.equal(status.key, 'agent:main:main')
  assert.equal(status.current, true)
  assert.equal(status.messageCount, 1)
  assert.equal(status.updatedAt, new Date(1_700_000_001_000).toISOString())

  const other = JSON.parse((await call('session_status', { sessionKey: 'agent:main:other' })).content) as { key: string, label: string, current: boolean }
  assert.deepEqual([other.key, other.label, other.current], ['agent:main:other', 'other one', false])
})

test('session_status refuses other agents, bad keys and unknown sessions', async (t) => {
  const { seed, call } = await setup(t)
  await seed('agent:ops:main')
  assertToolError(await call('session_status', { sessionKey: 'agent:ops:main' }), 'TOOL_FORBIDDEN', /another agent/)
  assertToolError(await call('session_status', { sessionKey: 'not-a-key' }), 'TOOL_INVALID_ARGS', /invalid session key/)
  assertToolError(await call('session_status', { sessionKey: 'agent:main:ghost' }), 'TOOL_SESSION_NOT_FOUND', /not found/)
  assertToolError(await call('session_status', {}), 'TOOL_SESSION_NOT_FOUND', /current session has no stored entry/)
})
