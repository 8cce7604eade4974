import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { READ_MAX_BYTES } from '../src/tools/builtin/read.js'
import { MAX_RESULT_BYTES } from '../src/tools/index.js'
import type { SessionStore } from '../src/sessions/types.js'
import { assertToolError, builtinToolCaller, type ToolCall } from './support/tools.js'

/** File tools never touch sessions; any call is a bug. */
const noSessions = new Proxy({} as SessionStore, {
  get: (_t, prop) => () => { throw new Error(`unexpected sessions.${String(prop)}()`) }
})

interface Env { base: string, ws: string, outside: string, call: ToolCall }

async function setup (t: TestContext): Promise<Env> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'tools-fs-')))
  t.after(() => rm(base, { recursive: true, force: true }))
  const ws = path.join(base, 'ws')
  const outside = path.join(base, 'outside')
  await mkdir(outside)
  await writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET\n')
  const call = builtinToolCaller({ agentId: 'main', workspace: ws, sessions: noSessions, now: () => 1_000 })
  return { base, ws, outside, call }
}

test('the workspace is created with mode 0700 on first use', async (t) => {
  const { ws, call } = await setup(t)
  const res = await call('ls', {})
  assert.equal(res.isError, undefined, res.content)
  assert.equal(res.content, '(empty directory)')
  assert.equal((await stat(ws)).mode & 0o777, 0o700)
})

test('write creates parent directories atomically, then read returns the content', async (t) => {
  const { ws, call } = await setup(t)
  const w = await call('write', JSON.stringify({ path: 'notes/day/one.md', content: 'alpha\nbeta\n' }))
  assert.equal(w.isError, undefined, w.content)
  assert.match(w.content, /Created notes\/day\/one\.md \(11 bytes\)/)
  assert.equal(await readFile(path.join(ws, 'notes/day/one.md'), 'utf8'), 'alpha\nbeta\n')
  assert.deepEqual(await readdir(path.join(ws, 'notes/day')), ['one.md'], 'no temp file left behind')

  const r = await call('read', { path: 'notes/day/one.md' })
  assert.equal(r.isError, undefined, r.content)
  assert.equal(r.content, 'alpha\nbeta\n')
})

test('write over an existing file keeps its permission bits', async (t) => {
  const { ws, call } = await setup(t)
  await call('ls', {})
  await writeFile(path.join(ws, 'run.sh'), 'old')
  await chmod(path.join(ws, 'run.sh'), 0o750)
  const w = await call('write', { path: 'run.sh', content: 'new' })
  assert.match(w.content, /^Overwrote run\.sh/)
  assert.equal(await readFile(path.join(ws, 'run.sh'), 'utf8'), 'new')
  assert.equal((await stat(path.join(ws, 'run.sh'))).mode & 0o777, 0o750)
})

test('read pages with offset/limit and says how to continue', async (t) => {
  const { ws, call } = await setup(t)
  await call('ls', {})
  await writeFile(path.join(ws, 'lines.txt'), ['l1', 'l2', 'l3', 'l4', 'l5'].join('\n'))
  const r = await call('read', { path: 'lines.txt', offset: 2, limit: 2 })
  assert.equal(r.content, 'l2\nl3\n\n\n[showing lines 2-3; more lines follow, continue with offset=4]')
  const tail = await call('read', { path: 'lines.txt', offset: 4 })
  assert.equal(tail.content, 'l4\nl5')
  const beyond = await call('read', { path: 'lines.txt', offset: 9 })
  assertToolError(beyond, 'TOOL_INVALID_ARGS', /beyond the end .*\(5 lines\)/)
})

test('read caps its output below the result cap without splitting a character', async (t) => {
  const { ws, call } = await setup(t)
  await call('ls', {})
  // A single 400 KiB line of 2-byte characters after a 1-byte one: an even byte cut would split a character.
  await writeFile(path.join(ws, 'big.txt'), `x${'é'.repeat(200 * 1024)}\nsecond line\n`)
  const r = await call('read', { path: 'big.txt' })
  assert.equal(r.isError, undefined)
  const [body, note] = r.content.split('\n\n[')
  const bytes = Buffer.byteLength(body)
  assert.ok(bytes <= READ_MAX_BYTES && bytes >= READ_MAX_BYTES - 1, `body is ${bytes} bytes`)
  assert.ok(READ_MAX_BYTES < MAX_RESULT_BYTES, 'our note must fit under the registry cap')
  assert.ok(!body.includes('\uFFFD'), 'no broken character at the cut')
  assert.match(note, /truncated at 48 KiB: showing lines 1-1 \(line 1 cut\); continue with offset=2/)
  assert.equal((await call('read', { path: 'big.txt', offset: 2 })).content, 'second line\n')
})

test('read refuses binary files and directories', async (t) => {
  const { ws, call } = await setup(t)
  await call('ls', {})
  await writeFile(path.join(ws, 'blob.bin'), Buffer.from([0x7f, 0x45, 0x00, 0x01]))
  assertToolError(await call('read', { path: 'blob.bin' }), 'TOOL_BINARY_FILE')
  await mkdir(path.join(ws, 'dir'))
  assertToolError(await call('read', { path: 'dir' }), 'TOOL_PATH_TYPE', /is a directory/)
  assertToolError(await call('read', { path: 'missing.txt' }), 'TOOL_PATH_NOT_FOUND', /missing\.txt: no such file/)
})

test('edit replaces exactly one occurrence, with newText taken literally', async (t) => {
  const { ws, call } = await setup(t)
  await call('write', { path: 'a.ts', content: 'const x = 1;\nconst y = 2;\n' })
  const res = await call('edit', { path: 'a.ts', oldText: 'const y = 2;', newText: 'const y = "$&$1";' })
  assert.equal(res.isError, undefined, res.content)
  assert.match(res.content, /line 2/)
  assert.equal(await readFile(path.join(ws, 'a.ts'), 'utf8'), 'const x = 1;\nconst y = "$&$1";\n')
})

test('edit with zero or several occurrences fails clearly and leaves the file alone', async (t) => {
  const { ws, call } = await setup(t)
  const original = 'foo bar\nfoo baz\n'
  await call('write', { path: 'f.txt', content: original })
  assertToolError(await call('edit', { path: 'f.txt', oldText: 'qux', newText: 'x' }), 'TOOL_EDIT_NO_MATCH', /not found in f\.txt/)
  const two = await call('edit', { path: 'f.txt', oldText: 'foo', newText: 'x' })
  assertToolError(two, 'TOOL_EDIT_AMBIGUOUS', /occurs 2 times/)
  // Overlapping matches are ambiguous too.
  await call('write', { path: 'g.txt', content: 'aaa' })
  assertToolError(await call('edit', { path: 'g.txt', oldText: 'aa', newText: 'b' }), 'TOOL_EDIT_AMBIGUOUS')
  assert.equal(await readFile(path.join(ws, 'f.txt'), 'utf8'), original)
  assert.equal(await readFile(path.join(ws, 'g.txt'), 'utf8'), 'aaa')
})

test('ls lists entries sorted, with type and size', async (t) => {
  const { ws, call } = await setup(t)
  await call('write', { path: 'b.txt', content: 'hello' })
  await call('write', { path: 'a/inner.txt', content: '' })
  await symlink('b.txt', path.join(ws, 'c-link'))
  const res = await call('ls', { path: '.' })
  assert.equal(res.content, 'a/\nb.txt  (5 bytes)\nc-link  (symlink)')
  assert.deepEqual((res.details as { entries: unknown[] }).entries, [
    { name: 'a', type: 'dir' },
    { name: 'b.txt', type: 'file', size: 5 },
    { name: 'c-link', type: 'symlink' }
  ])
  assertToolError(await call('ls', { path: 'b.txt' }), 'TOOL_PATH_TYPE')
})

test('`..` escapes are refused by every file tool', async (t) => {
  const { base, call } = await setup(t)
  const escape = '../outside/secret.txt'
  assertToolError(await call('read', { path: escape }), 'TOOL_PATH_ESCAPE', /outside the agent workspace/)
  assertToolError(await call('edit', { path: escape, oldText: 'TOP', newText: 'x' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('ls', { path: '..' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: 'sub/../../outside/new.txt', content: 'x' }), 'TOOL_PATH_ESCAPE')
  assert.deepEqual((await readdir(path.join(base, 'outside'))).sort(), ['secret.txt'])
  assert.equal(await readFile(path.join(base, 'outside/secret.txt'), 'utf8'), 'TOP SECRET\n')
})

test('`..` is refused even when it would land back inside the workspace through a symlink', async (t) => {
  const { base, ws, call } = await setup(t)
  await call('write', { path: 'file.txt', content: 'x' })
  await symlink(ws, path.join(base, 'alias'))
  assertToolError(await call('read', { path: '../alias/file.txt' }), 'TOOL_PATH_ESCAPE')
  assert.equal((await call('read', { path: 'sub/../file.txt' })).content, 'x', 'harmless `..` inside is fine')
})

test('refusals do not reveal whether a path outside the workspace exists', async (t) => {
  const { ws, outside, call } = await setup(t)
  await call('ls', {})
  await symlink(outside, path.join(ws, 'dir-link'))
  for (const p of ['../outside/nope.txt', path.join(outside, 'nope.txt'), 'dir-link/nope.txt', 'dir-link/secret.txt/x']) {
    assertToolError(await call('read', { path: p }), 'TOOL_PATH_ESCAPE', undefined)
  }
  assertToolError(await call('read', { path: 'nope.txt' }), 'TOOL_PATH_NOT_FOUND')
  assertToolError(await call('read', { path: 'a/b/nope.txt' }), 'TOOL_PATH_NOT_FOUND')
})

test('absolute paths are accepted inside the workspace only', async (t) => {
  const { ws, outside, call } = await setup(t)
  await call('write', { path: path.join(ws, 'abs.txt'), content: 'inside' })
  assert.equal((await call('read', { path: path.join(ws, 'abs.txt') })).content, 'inside')
  assertToolError(await call('read', { path: path.join(outside, 'secret.txt') }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('read', { path: '/etc/passwd' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: path.join(outside, 'x.txt'), content: 'x' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('ls', { path: outside }), 'TOOL_PATH_ESCAPE')
  await assert.rejects(stat(path.join(outside, 'x.txt')), { code: 'ENOENT' })
})

test('symlinks pointing outside the workspace are refused for read, write, edit and ls', async (t) => {
  const { ws, outside, call } = await setup(t)
  await call('ls', {})
  await symlink(path.join(outside, 'secret.txt'), path.join(ws, 'file-link'))
  await symlink(outside, path.join(ws, 'dir-link'))
  await symlink(path.join(outside, 'not-yet.txt'), path.join(ws, 'dangling'))

  assertToolError(await call('read', { path: 'file-link' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('read', { path: 'dir-link/secret.txt' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('ls', { path: 'dir-link' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('edit', { path: 'file-link', oldText: 'TOP', newText: 'x' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: 'file-link', content: 'pwned' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: 'dir-link/new.txt', content: 'pwned' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: 'dir-link/deep/new.txt', content: 'pwned' }), 'TOOL_PATH_ESCAPE')
  assertToolError(await call('write', { path: 'dangling', content: 'pwned' }), 'TOOL_PATH_ESCAPE', /dangling/)

  assert.equal(await readFile(path.join(outside, 'secret.txt'), 'utf8'), 'TOP SECRET\n')
  assert.deepEqual(await readdir(outside), ['secret.txt'])
  for (const p of ['new.txt', 'deep', 'not-yet.txt']) await assert.rejects(stat(path.join(outside, p)), { code: 'ENOENT' })
})

test('symlinks that stay inside the workspace are followed', async (t) => {
  const { ws, call } = await setup(t)
  await call('write', { path: 'real/data.txt', content: 'v1' })
  await symlink(path.join(ws, 'real'), path.join(ws, 'alias'))
  assert.equal((await call('read', { path: 'alias/data.txt' })).content, 'v1')
  const w = await call('write', { path: 'alias/data.txt', content: 'v2' })
  assert.equal(w.isError, undefined, w.content)
  assert.equal(await readFile(path.join(ws, 'real/data.txt'), 'utf8'), 'v2')
})
