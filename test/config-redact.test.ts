// The pure parts behind config.*: the path rule, redaction of objects and
// raw text, sentinel restore, JSON merge patch and the atomic writer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { REDACTED, idLooksLikeSecret, isSensitivePath, redactConfig, redactRaw, restoreRedacted } from '../src/config/redact.js'
import { mergePatch } from '../src/config/merge-patch.js'
import { writeConfigAtomic } from '../src/config/write.js'
import { WriteBudget } from '../src/rpc/write-budget.js'
import { prepareWrite } from '../src/config/write-plan.js'

test('the path rule: names that hold secrets, not token counts', () => {
  for (const p of ['gateway.auth.token', 'hooks.token', 'x.password', 'x.passwordHash', 'x.clientSecret', 'x.api_key', 'x.apiKey',
    'x.encrypt_key', 'x.privateKey', 'x.serviceAccount', 'plugins.localService.env.ANYTHING', 'models.providers.a.headers.Authorization']) {
    assert.equal(isSensitivePath(p), true, p)
  }
  for (const p of ['x.maxTokens', 'x.contextTokens', 'x.tokenLimit', 'x.passwordFile', 'x.tokens', 'gateway.port', 'models.providers.a.headers.accept']) {
    assert.equal(isSensitivePath(p), false, p)
  }
})

test('SecretRef ids: names stay, key material goes', () => {
  for (const id of ['OPENAI_API_KEY', '/providers/openai/apiKey', 'vault/openai#key', 'value', 'short1']) assert.equal(idLooksLikeSecret(id), false, id)
  for (const id of ['sk-proj-abc123', 'ghp_0123456789abcdefghij', 'AKIAABCDEFGHIJKLMNOP', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4']) assert.equal(idLooksLikeSecret(id), true, id)
})

test('redaction leaves ${VAR} placeholders and empty values visible', () => {
  const { value, hidden } = redactConfig({ gateway: { auth: { token: '${OPENCLAW_GATEWAY_TOKEN}', password: '' } }, hooks: { token: 'real-one' } })
  assert.deepEqual(value, { gateway: { auth: { token: '${OPENCLAW_GATEWAY_TOKEN}', password: '' } }, hooks: { token: REDACTED } })
  assert.deepEqual(hidden, ['real-one'])
})

test('raw text is redacted in place, or withheld when in place would not be exact', () => {
  const raw = '{ // comment\n  hooks: { token: "abc-secret-1" }, meta: { note: "x" } }'
  const parsed = { hooks: { token: 'abc-secret-1' }, meta: { note: 'x' } }
  const r = redactConfig(parsed)
  assert.equal(redactRaw(raw, r.value, r.hidden), `{ // comment\n  hooks: { token: "${REDACTED}" }, meta: { note: "x" } }`)
  // The secret also appears in a non-secret value: replacing it there would change what the text says.
  const shared = { hooks: { token: 'abc' }, meta: { note: 'abc' } }
  const s = redactConfig(shared)
  assert.equal(redactRaw('{ hooks: { token: "abc" }, meta: { note: "abc" } }', s.value, s.hidden), null)
  // Written with an escape: the literal value is not in the text, so the text cannot be shown.
  const e = redactConfig({ hooks: { token: 'abc-secret-1' } })
  assert.equal(redactRaw('{ hooks: { token: "abc-secr\\u0065t-1" } }', e.value, e.hidden), null)
})

test('restore puts back what a sentinel stands for and refuses the rest', () => {
  const current = { hooks: { token: 'old' }, models: { providers: { a: { apiKey: { source: 'exec', provider: 'v', id: 'sk-0123456789abcdef' } } } }, meta: { x: 1 } }
  const redacted = redactConfig(current).value
  assert.deepEqual(restoreRedacted(redacted, current, redacted), current)
  assert.throws(() => restoreRedacted({ hooks: { path: REDACTED } }, current, redacted), { name: 'SentinelError', path: 'hooks.path' })
  assert.throws(() => restoreRedacted({ gateway: { auth: { token: REDACTED } } }, current, redacted), { path: 'gateway.auth.token' })
  assert.throws(() => restoreRedacted({ meta: { list: [REDACTED] } }, current, redacted), { path: 'meta.list[0]' })
  const moved = { models: { providers: { a: { apiKey: { source: 'exec', provider: 'other', id: REDACTED } } } } }
  assert.throws(() => restoreRedacted(moved, current, redacted), { path: 'models.providers.a.apiKey.id', message: /changed source or provider/ })
})

test('merge patch follows RFC 7396; replacePaths swaps objects whole', () => {
  const target = { a: { b: 1, c: { d: 2 } }, list: [1, 2], gone: true }
  assert.deepEqual(mergePatch(target, { a: { c: { e: 3 } }, list: [3], gone: null, added: { x: null, y: 1 } }),
    { a: { b: 1, c: { d: 2, e: 3 } }, list: [3], added: { y: 1 } })
  assert.deepEqual(mergePatch(target, { a: { c: { e: 3 } } }, new Set(['a.c'])), { a: { b: 1, c: { e: 3 } }, list: [1, 2], gone: true })
  assert.deepEqual(target, { a: { b: 1, c: { d: 2 } }, list: [1, 2], gone: true }, 'the target is not mutated')
  const polluted = mergePatch({}, JSON.parse('{ "__proto__": { "polluted": true } }')) as Record<string, unknown>
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.deepEqual(Object.keys(polluted), ['__proto__'], 'an ordinary key, left for validation to refuse')
})

test('atomic write: 0600, previous file kept as .bak, no temp files left', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-write-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'sub', 'openclaw.json')
  await writeConfigAtomic(file, 'one')
  assert.equal(await readFile(file, 'utf8'), 'one')
  assert.deepEqual(await readdir(path.dirname(file)), ['openclaw.json'], 'no backup of a file that did not exist')
  await writeFile(`${file}.bak`, 'stale', { mode: 0o644 })
  await writeConfigAtomic(file, 'two')
  assert.equal(await readFile(file, 'utf8'), 'two')
  assert.equal(await readFile(`${file}.bak`, 'utf8'), 'one')
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  assert.equal((await stat(`${file}.bak`)).mode & 0o777, 0o600)
  assert.deepEqual((await readdir(path.dirname(file))).sort(), ['openclaw.json', 'openclaw.json.bak'])
})

test('write budget: a sliding window per key', () => {
  let now = 0
  const budget = new WriteBudget({ max: 2, windowMs: 1000 }, () => now)
  assert.equal(budget.consume('a').allowed, true)
  now = 500
  assert.equal(budget.consume('a').allowed, true)
  assert.deepEqual(budget.consume('a'), { allowed: false, retryAfterMs: 500 })
  assert.equal(budget.consume('b').allowed, true, 'keys are separate')
  now = 1000
  assert.equal(budget.consume('a').allowed, true, 'the first write left the window')
  assert.equal(budget.consume('a').allowed, false)
})

test('write plan: without a file no base hash is needed and the text is kept as sent', () => {
  const disk = { exists: false, raw: null, hash: 'none' }
  const raw = '// fresh\n{ gateway: { mode: "local" } }'
  const set = prepareWrite('set', { raw }, disk, { file: '/x/openclaw.json', env: {} })
  assert.deepEqual({ noop: set.noop, text: set.text, changedPaths: set.changedPaths }, { noop: false, text: raw, changedPaths: ['gateway.mode'] })
  const patch = prepareWrite('patch', { raw: '{ logging: { level: "warn" } }' }, disk, { file: '/x/openclaw.json', env: {} })
  assert.equal(patch.text, '{\n  "logging": {\n    "level": "warn"\n  }\n}\n')
})
