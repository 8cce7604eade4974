// POST /tools/invoke (contract 3.7) and its WS twin `tools.invoke`: the tool
// runs in the agent's workspace under its policy, the hard HTTP deny list is
// shaped by gateway.tools.deny/allow, and failures use {ok:false,error}.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startHttpGateway, type HttpGateway } from './support/http-gateway.js'
import { connectOk } from './support/ws-client.js'
import { DEFAULT_HTTP_DENY } from '../plugins/tools-invoke.js'

async function withWorkspace (gw: HttpGateway): Promise<string> {
  const workspace = gw.gw.app.agents.resolveAgent(undefined).workspace
  await mkdir(workspace, { recursive: true })
  await writeFile(path.join(workspace, 'notes.txt'), 'line one\nline two\n')
  return workspace
}

async function invoke (gw: HttpGateway, json: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> {
  const res = await gw.fetch('/tools/invoke', { json, headers })
  return { status: res.status, body: await res.json() }
}

test('a tool runs in the default agent\'s workspace and answers {ok:true, result}', async (t) => {
  const gw = await startHttpGateway(t)
  await withWorkspace(gw)
  const { status, body } = await invoke(gw, { tool: 'read', args: { path: 'notes.txt' }, dryRun: false })
  assert.equal(status, 200)
  assert.equal(body.ok, true)
  assert.match(body.result.content, /line one/)
  assert.notEqual(body.result.isError, true)
  // `name` wins over `tool`.
  const both = await invoke(gw, { tool: 'write', name: 'ls', args: {} })
  assert.equal(both.status, 200)
  assert.match(both.body.result.content, /notes\.txt/)
})

test('the hard deny list refuses write/exec-class tools with 404; gateway.tools.allow/deny reshape it live', async (t) => {
  const gw = await startHttpGateway(t)
  const workspace = await withWorkspace(gw)
  assert.ok(DEFAULT_HTTP_DENY.includes('exec') && DEFAULT_HTTP_DENY.includes('write'))
  let r = await invoke(gw, { tool: 'write', args: { path: 'x.txt', content: 'no' } })
  assert.equal(r.status, 404)
  assert.deepEqual(r.body, { ok: false, error: { message: 'Tool not available: write', type: 'invalid_request_error', param: null, code: 'tool_not_available' } })

  const base = gw.gw.app.configStore.config
  gw.setConfig({ ...base, gateway: { ...base.gateway, tools: { allow: ['write'], deny: ['read'] } } })
  r = await invoke(gw, { tool: 'write', args: { path: 'x.txt', content: 'yes' } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(await readFile(path.join(workspace, 'x.txt'), 'utf8'), 'yes')
  r = await invoke(gw, { tool: 'read', args: { path: 'notes.txt' } })
  assert.equal(r.status, 404, 'gateway.tools.deny adds to the list')

  // The agent's own tool policy applies as well: a tool it may not use is unavailable.
  gw.setConfig({ ...base, tools: { deny: ['ls'] } })
  assert.equal((await invoke(gw, { tool: 'ls' })).status, 404)
})

test('gateway.tools.allow lifts the deny list for the owner and admins only (auth mode none, x-openclaw-scopes)', async (t) => {
  const gw = await startHttpGateway(t, { token: null, config: () => ({ gateway: { tools: { allow: ['write'] } } }) })
  await withWorkspace(gw)
  const write = { tool: 'write', args: { path: 'y.txt', content: 'y' } }
  assert.equal((await invoke(gw, write, { 'x-openclaw-scopes': 'operator.write' })).status, 404, 'a write-scoped caller keeps the hard deny list')
  assert.equal((await invoke(gw, { tool: 'ls' }, { 'x-openclaw-scopes': 'operator.write' })).status, 200)
  assert.equal((await invoke(gw, write, { 'x-openclaw-scopes': 'operator.admin' })).status, 200)
  assert.equal((await invoke(gw, write)).status, 200, 'no scope header: the operator defaults, admin included')
})

test('bad requests: unknown tool or agent, invalid args, unknown keys, missing tool, too large, no auth', async (t) => {
  const gw = await startHttpGateway(t)
  await withWorkspace(gw)
  const cases: Array<[unknown, number, RegExp]> = [
    [{ tool: 'no_such_tool' }, 404, /^Tool not available: no_such_tool$/],
    [{ tool: 'read', agentId: 'ghost' }, 400, /^Unknown agent 'ghost'\.$/],
    [{ tool: 'read', args: { path: 42 } }, 400, /Invalid arguments for tool "read"/],
    [{ tool: 'read', surprise: true }, 400, /^Unknown parameter: 'surprise'\.$/],
    [{ args: {} }, 400, /^Missing required parameter: 'tool'\.$/]
  ]
  for (const [json, status, message] of cases) {
    const r = await invoke(gw, json)
    assert.equal(r.status, status, JSON.stringify(json))
    assert.equal(r.body.ok, false)
    assert.match(r.body.error.message, message)
  }
  const big = await gw.fetch('/tools/invoke', { json: { tool: 'read', args: { path: 'x'.repeat(2 * 1024 * 1024 + 10) } } })
  assert.equal(big.status, 413)
  assert.equal(((await big.json()) as any).ok, false)
  const anon = await gw.fetch('/tools/invoke', { auth: false, json: { tool: 'read' } })
  assert.equal(anon.status, 401)
  assert.deepEqual(((await anon.json()) as any).error.type, 'unauthorized')
})

test('sessionKey: main by default, a bare key is scoped to the agent; action never breaks a tool without one', async (t) => {
  const gw = await startHttpGateway(t)
  for (const key of ['main', 'thread-3']) {
    const res = await gw.fetch('/v1/chat/completions', { headers: { 'x-openclaw-session-key': key }, json: { messages: [{ role: 'user', content: 'hi' }] } })
    assert.equal(res.status, 200)
  }
  // session_status has a closed schema: forwarding `action` to it would be an invalid-args 400.
  const main = await invoke(gw, { tool: 'session_status', action: 'status' })
  assert.equal(main.status, 200, JSON.stringify(main.body))
  assert.equal(JSON.parse(main.body.result.content).key, 'agent:main:main')
  const other = await invoke(gw, { tool: 'session_status', sessionKey: 'thread-3' })
  assert.equal(JSON.parse(other.body.result.content).key, 'agent:main:thread-3')
  assert.equal(JSON.parse(other.body.result.content).current, true)
})

test('the WS twin tools.invoke runs the same way with operator.write', async (t) => {
  const gw = await startHttpGateway(t)
  await withWorkspace(gw)
  const { client } = await connectOk(`ws://127.0.0.1:${gw.gw.port}`, { token: gw.token })
  t.after(() => { client.close() })
  const ok = await client.request('tools.invoke', { tool: 'read', args: { path: 'notes.txt' } })
  assert.equal(ok.ok, true, JSON.stringify(ok))
  assert.match(ok.payload.result.content, /line two/)
  const denied = await client.request('tools.invoke', { tool: 'exec', args: { command: 'true' } })
  assert.equal(denied.ok, false)
  assert.equal(denied.error.code, 'INVALID_REQUEST')
  assert.equal(denied.error.message, 'Tool not available: exec')
})
