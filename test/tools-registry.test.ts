import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Type } from '@sinclair/typebox'
import type { GatewayConfig } from '../schemas/config.js'
import {
  MAX_RESULT_BYTES, ToolError, createToolRegistry, registerBuiltinTools,
  type ToolContext, type ToolDefinition, type ToolResult
} from '../src/tools/index.js'
import type { SessionStore } from '../src/sessions/types.js'

const NEVER_CREATED = path.join(os.tmpdir(), `tools-registry-${process.pid}-never-created`)
const BUILTINS = ['read', 'write', 'edit', 'ls', 'sessions_list', 'session_status']

function ctx (overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    agentId: 'main',
    sessionKey: 'agent:main:main',
    runId: 'run-1',
    // Nothing here may touch the disk; file tools are covered in tools-fs.
    workspace: NEVER_CREATED,
    signal: new AbortController().signal,
    sessions: {} as SessionStore,
    now: () => 0,
    ...overrides
  }
}

const EchoArgs = Type.Object({ text: Type.String({ minLength: 1 }), times: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })
const echoTool: ToolDefinition<typeof EchoArgs> = {
  name: 'echo',
  description: 'Echo text',
  parameters: EchoArgs,
  async execute (args) {
    return { content: args.text.repeat(args.times ?? 1) }
  }
}

function registryWith (...defs: ToolDefinition[]) {
  const registry = createToolRegistry()
  for (const d of defs) registry.register(d)
  return registry
}

function assertToolError (result: ToolResult, code: string, pattern?: RegExp): void {
  assert.equal(result.isError, true, `expected an error result, got: ${result.content}`)
  assert.equal((result.details as { code?: string }).code, code, result.content)
  if (pattern) assert.match(result.content, pattern)
}

const names = (defs: readonly { name: string }[]): string[] => defs.map((d) => d.name)

test('arguments may be a JSON string, an object, or empty', async () => {
  const r = registryWith(echoTool as unknown as ToolDefinition)
  assert.deepEqual(await r.invoke('echo', '{"text":"ab","times":2}', ctx(), {}, 'main'), { content: 'abab' })
  assert.deepEqual(await r.invoke('echo', { text: 'x' }, ctx(), {}, 'main'), { content: 'x' })
  // Empty arguments are `{}`, which this schema rejects: proves they reach validation rather than crash.
  assertToolError(await r.invoke('echo', '', ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /\/text/)
})

test('invalid JSON and schema-invalid arguments come back as error results', async () => {
  const r = registryWith(echoTool as unknown as ToolDefinition)
  const bad = await r.invoke('echo', '{"text": "unterminated', ctx(), {}, 'main')
  assertToolError(bad, 'TOOL_INVALID_ARGS', /not valid JSON/)
  assertToolError(await r.invoke('echo', { text: 42 }, ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /\/text: Expected string/)
  assertToolError(await r.invoke('echo', { text: 'a', extra: true }, ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /\/extra/)
  assertToolError(await r.invoke('echo', { text: 'a', times: 1.5 }, ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /\/times/)
  assertToolError(await r.invoke('echo', '[1,2]', ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /Expected object/)
})

test('built-in file tools reject schema-invalid arguments before touching the disk', async () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  assertToolError(await r.invoke('read', { path: 7 }, ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /^Invalid arguments for tool "read": \/path/)
  assertToolError(await r.invoke('edit', '{"path":"a","oldText":"","newText":"b"}', ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /\/oldText/)
  assertToolError(await r.invoke('write', '{"path":', ctx(), {}, 'main'), 'TOOL_INVALID_ARGS', /not valid JSON/)
  await assert.rejects(stat(NEVER_CREATED), { code: 'ENOENT' }, 'the workspace was never created')
})

test('unknown tools are an error result that lists what is available', async () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  const res = await r.invoke('rm_rf', {}, ctx(), {}, 'main')
  assertToolError(res, 'TOOL_NOT_FOUND', /^Unknown tool "rm_rf"\. Available tools: read, write, edit, ls, sessions_list, session_status$/)
})

test('register rejects duplicates, bad names and non-object schemas', () => {
  const r = registryWith(echoTool as unknown as ToolDefinition)
  assert.throws(() => r.register(echoTool), (err: unknown) => err instanceof ToolError && err.code === 'TOOL_DUPLICATE')
  assert.throws(() => r.register({ ...echoTool, name: 'has space' }), { code: 'TOOL_INVALID_NAME' })
  assert.throws(() => r.register({ ...echoTool, name: 'x'.repeat(65) }), { code: 'TOOL_INVALID_NAME' })
  assert.throws(() => r.register({ ...echoTool, name: 'str', parameters: Type.String() } as unknown as ToolDefinition), { code: 'TOOL_INVALID_SCHEMA' })
  assert.equal(r.get('echo'), echoTool)
  assert.equal(r.get('has space'), undefined)
})

test('tool exceptions become error results; ToolError codes are kept', async () => {
  const boom: ToolDefinition = { ...echoTool, name: 'boom', async execute () { throw new Error('disk on fire') } } as ToolDefinition
  const coded: ToolDefinition = { ...echoTool, name: 'coded', async execute () { throw new ToolError('TOOL_FORBIDDEN', 'nope', { details: { why: 'x' } }) } } as ToolDefinition
  const malformed: ToolDefinition = { ...echoTool, name: 'malformed', async execute () { return { content: 42 } as unknown as ToolResult } } as ToolDefinition
  const r = registryWith(boom, coded, malformed)
  assertToolError(await r.invoke('boom', { text: 'a' }, ctx(), {}, 'main'), 'TOOL_FAILED', /^Tool "boom" failed: disk on fire$/)
  const c = await r.invoke('coded', { text: 'a' }, ctx(), {}, 'main')
  assert.deepEqual(c, { isError: true, content: 'nope', details: { code: 'TOOL_FORBIDDEN', why: 'x' } })
  assertToolError(await r.invoke('malformed', { text: 'a' }, ctx(), {}, 'main'), 'TOOL_FAILED', /malformed/)
})

test('an abort settles the call even when the tool ignores the signal', async () => {
  const hang: ToolDefinition = { ...echoTool, name: 'hang', execute: () => new Promise<ToolResult>(() => {}) } as ToolDefinition
  let ran = false
  const spy: ToolDefinition = { ...echoTool, name: 'spy', async execute () { ran = true; return { content: 'ran' } } } as ToolDefinition
  const r = registryWith(hang, spy)
  const ac = new AbortController()
  const pending = r.invoke('hang', { text: 'a' }, ctx({ signal: ac.signal }), {}, 'main')
  setTimeout(() => ac.abort(), 20)
  assertToolError(await pending, 'TOOL_ABORTED', /aborted/)
  // Already aborted: the tool does not even start.
  assertToolError(await r.invoke('spy', { text: 'a' }, ctx({ signal: ac.signal }), {}, 'main'), 'TOOL_ABORTED')
  assert.equal(ran, false)
})

test('result content is capped with a truncation note', async () => {
  const big: ToolDefinition = { ...echoTool, name: 'big', async execute () { return { content: 'é'.repeat(MAX_RESULT_BYTES) } } } as ToolDefinition
  const r = registryWith(big)
  const res = await r.invoke('big', { text: 'a' }, ctx(), {}, 'main')
  const [body, note] = res.content.split('\n[output truncated')
  assert.ok(Buffer.byteLength(body) <= MAX_RESULT_BYTES)
  assert.ok(Buffer.byteLength(body) >= MAX_RESULT_BYTES - 1)
  assert.ok(!body.includes('\uFFFD'))
  assert.match(note, new RegExp(`showing ${Buffer.byteLength(body)} of ${MAX_RESULT_BYTES * 2} bytes`))
})

test('an agentId that disagrees with the context is a wiring bug and throws', async () => {
  const r = registryWith(echoTool as unknown as ToolDefinition)
  await assert.rejects(r.invoke('echo', { text: 'a' }, ctx({ agentId: 'ops' }), {}, 'main'), { code: 'TOOL_FORBIDDEN' })
})

test('specs are plain, frozen JSON schemas computed once per config snapshot', () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  const config = {}
  const specs = r.specs(config, 'main')
  assert.deepEqual(names(specs), BUILTINS)
  const read = specs.find((s) => s.name === 'read')!
  assert.equal(Object.getOwnPropertySymbols(read.parameters).length, 0, 'no TypeBox symbols')
  assert.deepEqual(read.parameters.required, ['path'])
  assert.equal(read.parameters.additionalProperties, false)
  assert.throws(() => { (read.parameters as Record<string, unknown>).required = [] }, TypeError, 'shared specs cannot be mutated')
  assert.equal(r.specs(config, 'main'), specs, 'same snapshot and agent: cached')
  assert.notEqual(r.specs({ tools: { deny: ['ls'] } }, 'main'), specs, 'a new snapshot is computed afresh')
  assert.ok(!names(r.specs({ tools: { deny: ['ls'] } }, 'main')).includes('ls'))
})

test('default policy: every built-in except exec', () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  assert.deepEqual(names(r.available({}, 'main')), BUILTINS)
  assert.deepEqual(names(r.available({ tools: { exec: { enabled: true } } }, 'main')), [...BUILTINS, 'exec'])
  // Allow lists select among enabled tools; they never switch exec on.
  assert.deepEqual(names(r.available({ tools: { allow: ['*', 'exec'] } }, 'main')), BUILTINS)
})

test('allow/deny policy with groups: deny wins, allow restricts, agents narrow further', async () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  const cfg: GatewayConfig = {
    tools: { exec: { enabled: true }, deny: ['group:runtime'] },
    agents: {
      entries: {
        reader: { tools: { allow: ['group:fs', 'group:sessions'], deny: ['write', 'edit'] } },
        sessionsonly: { tools: { allow: ['sessions_*'] } },
        fsonly: { tools: { allow: ['group:fs'] } }
      }
    }
  }
  assert.deepEqual(names(r.available(cfg, 'main')), BUILTINS, 'global deny removes exec')
  assert.deepEqual(names(r.available(cfg, 'reader')), ['read', 'ls', 'sessions_list', 'session_status'])
  assert.deepEqual(names(r.available(cfg, 'sessionsonly')), ['sessions_list'], 'globs match tool names')
  assert.deepEqual(names(r.available(cfg, 'fsonly')), ['read', 'write', 'edit', 'ls'])

  // Deny wins over allow within a layer, and an agent cannot re-allow what the global layer denies.
  const strict: GatewayConfig = {
    tools: { allow: ['group:fs', 'group:sessions'], deny: ['write'] },
    agents: { entries: { main: { tools: { allow: ['*', 'write'] } } } }
  }
  assert.deepEqual(names(r.available(strict, 'main')), ['read', 'edit', 'ls', 'sessions_list', 'session_status'])
  assert.deepEqual(names(r.available({ tools: { deny: ['*'] } }, 'main')), [])
  assert.deepEqual(names(r.available({ tools: { allow: ['group:nope'] } }, 'main')), [], 'unknown groups match nothing')
  assert.deepEqual(names(r.specs(cfg, 'reader')), ['read', 'ls', 'sessions_list', 'session_status'])

  // invoke enforces the same policy, and before any argument handling.
  assertToolError(await r.invoke('write', '{not json', ctx({ agentId: 'reader' }), cfg, 'reader'), 'TOOL_NOT_AVAILABLE', /not available to this agent/)
  assertToolError(await r.invoke('exec', { command: 'true' }, ctx(), cfg, 'main'), 'TOOL_NOT_AVAILABLE')
})

test('only own agent entries carry a policy, never inherited properties', () => {
  const r = createToolRegistry()
  registerBuiltinTools(r)
  const inherited = Object.create({ main: { tools: { deny: ['*'] } } }) as Record<string, { tools?: { deny?: string[] } }>
  assert.deepEqual(names(r.available({ agents: { entries: inherited } }, 'main')), BUILTINS)
  assert.deepEqual(names(r.available({ agents: { entries: {} } }, 'constructor')), BUILTINS)
  // Entries are matched as names, never looked up as object keys.
  assert.deepEqual(names(r.available({ tools: { deny: ['constructor', '__proto__', 'toString'] } }, 'main')), BUILTINS)
})

test('invoke passes the config snapshot to the tool', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tools-registry-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  let seen: unknown
  const probe: ToolDefinition = { ...echoTool, name: 'probe', async execute (_a, c) { seen = c.config; return { content: c.workspace } } } as ToolDefinition
  const r = registryWith(probe)
  const cfg: GatewayConfig = { tools: { exec: { timeoutSeconds: 5 } } }
  const res = await r.invoke('probe', { text: 'a' }, ctx({ workspace: dir }), cfg, 'main')
  assert.equal(res.content, dir)
  assert.equal(seen, cfg)
})
