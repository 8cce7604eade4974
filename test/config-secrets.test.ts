// SecretRef resolution (src/config/secrets.ts): file providers are read like
// OpenSSH reads a private key, exec providers speak the JSON protocol of
// contract 6.4, and no error message ever quotes what a command printed.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, link, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { resolveSecretInput, SecretError } from '../src/config/secrets.js'
import type { GatewayConfig, SecretInput } from '../schemas/config.js'

type Providers = NonNullable<NonNullable<GatewayConfig['secrets']>['providers']>
const AT = 'models.providers.x.apiKey'

async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-secrets-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function privateFile (file: string, text: string, mode = 0o600): Promise<string> {
  await writeFile(file, text, { mode })
  await chmod(file, mode)
  return file
}

function resolve (providers: Providers, ref: SecretInput, env: Record<string, string> = {}): Promise<string | undefined> {
  return resolveSecretInput(ref, AT, providers, env)
}

/** A SecretError for AT with exactly `message`, which never contains `secret`. */
function secretError (message: string | RegExp, secret?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof SecretError, `expected a SecretError, got ${String(err)}`)
    assert.doesNotMatch(err.message, /\n/, 'one line')
    if (typeof message === 'string') assert.equal(err.message, `${AT}: ${message}`)
    else assert.match(err.message, message)
    if (secret !== undefined) assert.ok(!err.message.includes(secret), `the message quotes the output: ${err.message}`)
    return true
  }
}

test('file provider: a private JSON file resolves by JSON pointer; singleValue trims', async (t) => {
  const dir = await tempDir(t)
  const file = await privateFile(path.join(dir, 'secrets.json'), JSON.stringify({ providers: { x: { apiKey: 'sk-file-1' } } }))
  const single = await privateFile(path.join(dir, 'key.txt'), 'sk-single\n')
  const providers: Providers = { vault: { source: 'file', path: file }, one: { source: 'file', path: single, mode: 'singleValue' } }
  assert.equal(await resolve(providers, { source: 'file', provider: 'vault', id: '/providers/x/apiKey' }), 'sk-file-1')
  assert.equal(await resolve(providers, { source: 'file', provider: 'one', id: 'value' }), 'sk-single')
  await assert.rejects(resolve(providers, { source: 'file', provider: 'vault', id: '/nope' }), secretError(`no string at /nope in ${file}`))
})

test('file provider: group or world access is refused with the mode and the fix, OpenSSH style', async (t) => {
  const dir = await tempDir(t)
  const file = path.join(dir, 'secrets.json')
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    await privateFile(file, '{"k":"sk-open"}', mode)
    const octal = `0${mode.toString(8)}`
    await assert.rejects(resolve({ vault: { source: 'file', path: file } }, { source: 'file', provider: 'vault', id: '/k' }),
      secretError(`secret file ${file} has mode ${octal}; it must not be accessible by group or others (chmod 600 ${file}), or set secrets.providers.vault.allowInsecurePath: true`))
  }
  assert.equal(await resolve({ vault: { source: 'file', path: file, allowInsecurePath: true } }, { source: 'file', provider: 'vault', id: '/k' }), 'sk-open')
  await chmod(file, 0o400)
  assert.equal(await resolve({ vault: { source: 'file', path: file } }, { source: 'file', provider: 'vault', id: '/k' }), 'sk-open', '0400 is private too')
})

test('file provider: symlinks, hard links, directories and oversize files are refused', async (t) => {
  const dir = await tempDir(t)
  const file = await privateFile(path.join(dir, 'real.json'), '{"k":"sk-linked"}')
  const ref: SecretInput = { source: 'file', provider: 'vault', id: '/k' }
  const sym = path.join(dir, 'sym.json')
  await symlink(file, sym)
  await assert.rejects(resolve({ vault: { source: 'file', path: sym } }, ref),
    secretError(`secret file ${sym} is a symlink; point secrets.providers.vault.path at the file itself, or set secrets.providers.vault.allowInsecurePath: true`))
  assert.equal(await resolve({ vault: { source: 'file', path: sym, allowInsecurePath: true } }, ref), 'sk-linked')

  const hard = path.join(dir, 'hard.json')
  await link(file, hard)
  await assert.rejects(resolve({ vault: { source: 'file', path: hard } }, ref),
    secretError(`secret file ${hard} has 2 hard links; keep one, or set secrets.providers.vault.allowInsecurePath: true`))
  await rm(hard)

  await assert.rejects(resolve({ vault: { source: 'file', path: dir } }, ref), secretError(`secret file ${dir} is not a regular file`))
  await assert.rejects(resolve({ vault: { source: 'file', path: path.join(dir, 'none') } }, ref), secretError(`secret file ${path.join(dir, 'none')} cannot be read (ENOENT)`))
  await assert.rejects(resolve({ vault: { source: 'file', path: file, maxBytes: 4 } }, ref),
    secretError(`secret file ${file} is larger than 4 bytes (secrets.providers.vault.maxBytes)`))
})

/** A node script in `dir` that prints `out` (or runs `body`) as an exec provider. */
async function execProvider (dir: string, name: string, body: string, extra: Partial<Extract<Providers[string], { source: 'exec' }>> = {}): Promise<Providers> {
  const script = path.join(dir, `${name}.js`)
  await writeFile(script, body)
  return { cmd: { source: 'exec', command: process.execPath, args: [script], ...extra } }
}

const printing = (stdout: string) => `process.stdout.write(${JSON.stringify(stdout)})`
const EXEC_REF: SecretInput = { source: 'exec', provider: 'cmd', id: 'openai/key' }

test('exec provider: the request on stdin, the protocol JSON on stdout', async (t) => {
  const dir = await tempDir(t)
  // Answers with what it was asked, so the request shape is checked too.
  const providers = await execProvider(dir, 'echo', `
    let input = ''
    process.stdin.on('data', (d) => { input += d }).on('end', () => {
      const req = JSON.parse(input)
      process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { [req.ids[0]]: JSON.stringify(req) } }))
    })`)
  assert.deepEqual(JSON.parse(await resolve(providers, EXEC_REF) ?? ''), { protocolVersion: 1, provider: 'cmd', ids: ['openai/key'] })
})

test('exec provider: anything but a protocol answer is an error that never quotes the output', async (t) => {
  const dir = await tempDir(t)
  const secret = 'sk-LEAKED-0123456789'
  const what = `secret command ${process.execPath} (secrets.providers.cmd)`
  const cases: Array<[string, string, string]> = [
    ['plain text', `${secret}\n`, `${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}})`],
    ['garbage', `{${secret}`, `${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}})`],
    ['a JSON string', JSON.stringify(secret), `${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}})`],
    ['no output', '', `${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}})`],
    ['wrong protocolVersion', JSON.stringify({ protocolVersion: 2, values: { 'openai/key': secret } }), `${what} did not answer with protocolVersion 1`],
    ['no protocolVersion', JSON.stringify({ values: { 'openai/key': secret } }), `${what} did not answer with protocolVersion 1`],
    ['missing id', JSON.stringify({ protocolVersion: 1, values: { other: secret } }), `${what} returned no value for "openai/key"`],
    ['non-string value', JSON.stringify({ protocolVersion: 1, values: { 'openai/key': { v: secret } } }), `${what} returned an object for "openai/key", not a string`],
    ['number value', JSON.stringify({ protocolVersion: 1, values: { 'openai/key': 42 } }), `${what} returned a number for "openai/key", not a string`],
    ['empty value', JSON.stringify({ protocolVersion: 1, values: { 'openai/key': '' } }), `${what} returned an empty value for "openai/key"`]
  ]
  for (const [name, stdout, message] of cases) {
    const providers = await execProvider(dir, name.replace(/\W/g, '-'), printing(stdout))
    await assert.rejects(resolve(providers, EXEC_REF), secretError(message, secret), name)
  }
  // jsonOnly: false (OpenClaw's raw mode) is accepted in the file but changes nothing; the message says why.
  const raw = await execProvider(dir, 'raw', printing(secret), { jsonOnly: false })
  await assert.rejects(resolve(raw, EXEC_REF), secretError(`${what} did not print a JSON object (expected {"protocolVersion":1,"values":{"<id>":"<secret>"}}); raw output (jsonOnly: false) is not supported, wrap the command to print that JSON`, secret))
})

test('exec provider: a reported error is named without quoting its text (command output); exit status and timeout are named', async (t) => {
  const dir = await tempDir(t)
  const what = `secret command ${process.execPath} (secrets.providers.cmd)`
  const reported = await execProvider(dir, 'reported', printing(JSON.stringify({ protocolVersion: 1, values: {}, errors: { 'openai/key': { message: 'vault is sealed\nretry later' } } })))
  await assert.rejects(resolve(reported, EXEC_REF), secretError(`${what} reported an error for "openai/key"`, 'vault is sealed'))
  const failing = await execProvider(dir, 'failing', 'process.stdout.write("sk-partial"); process.exit(3)')
  await assert.rejects(resolve(failing, EXEC_REF), secretError(`${what} exited with status 3`, 'sk-partial'))
  const chatty = await execProvider(dir, 'chatty', 'process.stdout.write("x".repeat(2 * 1024 * 1024))')
  await assert.rejects(resolve(chatty, EXEC_REF), secretError(`${what} printed more than 1 MiB`))
  const slow = await execProvider(dir, 'slow', 'setTimeout(() => {}, 30_000)', { timeoutMs: 300 })
  await assert.rejects(resolve(slow, EXEC_REF), secretError(`${what} timed out after 300 ms`))
  // A command that never reads its stdin still answers.
  const deaf = await execProvider(dir, 'deaf', printing(JSON.stringify({ protocolVersion: 1, values: { 'openai/key': 'sk-deaf' } })))
  assert.equal(await resolve(deaf, EXEC_REF), 'sk-deaf')
})

test('exec provider: the command sees PATH, HOME and passEnv, never the rest of the gateway environment', async (t) => {
  const dir = await tempDir(t)
  const body = 'process.stdout.write(JSON.stringify({ protocolVersion: 1, values: { "openai/key": JSON.stringify(process.env) } }))'
  const env = { PATH: '/usr/bin:/bin', HOME: dir, VAULT_ADDR: 'https://vault.example', OPENCLAW_GATEWAY_TOKEN: 'tok-never-passed', ANTHROPIC_API_KEY: 'sk-never-passed' }
  const plain = await execProvider(dir, 'plain', body)
  assert.deepEqual(JSON.parse(await resolve(plain, EXEC_REF, env) ?? ''), { PATH: '/usr/bin:/bin', HOME: dir })
  const passing = await execProvider(dir, 'passing', body, { passEnv: ['VAULT_ADDR', 'NOT_SET'] })
  assert.deepEqual(JSON.parse(await resolve(passing, EXEC_REF, env) ?? ''), { PATH: '/usr/bin:/bin', HOME: dir, VAULT_ADDR: 'https://vault.example' })
})
