// Config parsing and validation: one line per problem, naming the file and the dotted path.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadConfigFile, parseConfigText, validateConfig } from '../src/config/load.js'
import { ConfigError } from '../src/errors/index.js'

const FILE = '/etc/openclaw/openclaw.json'

function configError (expected: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.exitCode, 78)
    assert.equal(err.code, 'CONFIG_INVALID')
    assert.equal(err.file, FILE)
    assert.doesNotMatch(err.message, /\n/, 'one line')
    if (typeof expected === 'string') assert.equal(err.message, expected)
    else assert.match(err.message, expected)
    return true
  }
}

const invalid: Array<[string, string, string | RegExp]> = [
  ['malformed JSON5', '{ gateway: { mode: "local", }', /^invalid config \/etc\/openclaw\/openclaw\.json: malformed JSON5: invalid end of input at 1:\d+$/],
  ['wrong type', '{ gateway: { mode: "local", port: "80" } }', `invalid config ${FILE}: gateway.port: expected integer`],
  ['unknown key', '{ gateway: { mode: "local", bogus: 1 } }', `invalid config ${FILE}: gateway.bogus: unknown key`],
  ['unknown top-level key', '{ gateway: { mode: "local" }, bogus: 1 }', `invalid config ${FILE}: bogus: unknown key`],
  ['deep unknown key', '{ models: { providers: { x: { api: "openai-completions", baseUrl: "http://127.0.0.1:1/v1", apikey: "k" } } } }',
    `invalid config ${FILE}: models.providers.x.apikey: unknown key`],
  ['enum', '{ gateway: { mode: "loco" } }', `invalid config ${FILE}: gateway.mode: must be one of "local", "remote"`],
  ['port too large', '{ gateway: { mode: "local", port: 70000 } }', `invalid config ${FILE}: gateway.port: expected integer to be less or equal to 65535`],
  ['port zero', '{ gateway: { mode: "local", port: 0 } }', `invalid config ${FILE}: gateway.port: expected integer to be greater or equal to 1`],
  ['fractional port', '{ gateway: { mode: "local", port: 80.5 } }', `invalid config ${FILE}: gateway.port: expected integer`],
  ['bind host not an address', '{ gateway: { mode: "local", bind: "custom", customBindHost: "not-an-ip" } }',
    `invalid config ${FILE}: gateway.customBindHost: "not-an-ip" is not an IP address`],
  ['array index in path', '{ agents: { entries: { a: { tools: { allow: ["ok", 1] } } } } }', `invalid config ${FILE}: agents.entries.a.tools.allow[1]: expected string`],
  ['not an object', '[1, 2]', `invalid config ${FILE}: the top level must be an object`]
]

for (const [name, raw, expected] of invalid) {
  test(`invalid config: ${name}`, () => {
    assert.throws(() => parseConfigText(FILE, raw, {}), configError(expected))
  })
}

test('several problems: one line each, every line naming the file', () => {
  assert.throws(() => parseConfigText(FILE, '{ gateway: { mode: "x", port: "y" }, nope: 1 }', {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    const lines = err.message.split('\n')
    assert.equal(lines.length, 3)
    for (const l of lines) assert.ok(l.startsWith(`invalid config ${FILE}: `), l)
    assert.deepEqual(err.issues.map((i) => i.path).sort(), ['gateway.mode', 'gateway.port', 'nope'])
    return true
  })
})

test('a valid config is frozen, hashed and keeps the raw text', () => {
  const raw = '// comment\n{ gateway: { mode: "local", port: 20000 }, }\n'
  const snap = parseConfigText(FILE, raw, {})
  assert.equal(snap.exists, true)
  assert.equal(snap.raw, raw)
  assert.equal(snap.hash, createHash('sha256').update(raw).digest('hex'))
  assert.deepEqual(snap.config, { gateway: { mode: 'local', port: 20000 } })
  assert.ok(Object.isFrozen(snap.config) && Object.isFrozen(snap.config.gateway))
  assert.deepEqual(validateConfig(snap.config), [])
})

test('${VAR} substitution and the $${VAR} escape', () => {
  const raw = '{ gateway: { mode: "local", auth: { token: "${TOK}", password: "$${TOK}" }, trustedProxies: ["${A}-${B}"] } }'
  const snap = parseConfigText(FILE, raw, { TOK: 'tok-123', A: 'a', B: 'b' })
  assert.equal(snap.config.gateway?.auth?.token, 'tok-123')
  assert.equal(snap.config.gateway?.auth?.password, '${TOK}')
  assert.deepEqual(snap.config.gateway?.trustedProxies, ['a-b'])
  assert.deepEqual(snap.warnings, [])
})

test('a ${VAR} naming an unset variable is an error (kept as text it would be a guessable token)', () => {
  const raw = '{ gateway: { mode: "local", auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" } } }'
  assert.throws(() => parseConfigText(FILE, raw, {}), configError(`invalid config ${FILE}: gateway.auth.token: environment variable OPENCLAW_GATEWAY_TOKEN is not set`))
  assert.throws(() => parseConfigText(FILE, raw, {}), (err: unknown) => {
    assert.deepEqual((err as ConfigError).issues, [{ path: 'gateway.auth.token', message: 'environment variable OPENCLAW_GATEWAY_TOKEN is not set' }])
    return true
  })
  // Reported once per path, for the variable, not again for the literal text failing the schema.
  assert.throws(() => parseConfigText(FILE, '{ gateway: { mode: "local", port: "${PORT}", trustedProxies: ["x", "${P2}"] } }', {}), (err: unknown) => {
    assert.deepEqual((err as ConfigError).issues, [
      { path: 'gateway.port', message: 'environment variable PORT is not set' },
      { path: 'gateway.trustedProxies[1]', message: 'environment variable P2 is not set' }
    ])
    return true
  })
})

test('a variable set to "" is set: the value is "" (an empty token counts as not configured)', () => {
  const snap = parseConfigText(FILE, '{ gateway: { mode: "local", auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" } } }', { OPENCLAW_GATEWAY_TOKEN: '' })
  assert.equal(snap.config.gateway?.auth?.token, '')
})

test('unsetEnv: "warn" (the CLI) keeps the text and warns instead', () => {
  const raw = '{ gateway: { mode: "local", auth: { token: "${NOPE}" } } }'
  const snap = parseConfigText(FILE, raw, {}, { unsetEnv: 'warn' })
  assert.equal(snap.config.gateway?.auth?.token, '${NOPE}')
  assert.deepEqual(snap.warnings, ['gateway.auth.token: environment variable NOPE is not set'])
})

test('keys accepted without effect warn once each; supported keys and empty objects do not', () => {
  const config = {
    gateway: {
      mode: 'local',
      publicOrigin: 'https://gw.example.com',
      controlUi: { enabled: true, basePath: '/ui', root: '/srv/ui', allowedOrigins: ['https://ui.example.com'], dangerouslyAllowHostHeaderOriginFallback: false },
      remote: { url: 'wss://gw.example.com', token: 't' },
      trustedProxies: ['10.0.0.1'],
      http: { cors: { allowedOrigins: ['https://x.example.com'] } }
    },
    hooks: { enabled: true, token: 'hook-token' },
    plugins: { entries: { a: { enabled: true } } },
    channels: { telegram: { botToken: 'x' }, discord: { token: 'x' } },
    env: { vars: { A: 'b' } },
    logging: { level: 'info', redactSensitive: 'tools' },
    memory: { search: { provider: 'p', model: 'm' } },
    meta: { lastTouchedVersion: '1' }
  }
  const snap = parseConfigText(FILE, JSON.stringify(config), {})
  assert.deepEqual([...snap.warnings].sort(), [
    'channels.discord is not supported yet and has no effect',
    'env.vars is not supported yet and has no effect',
    'gateway.publicOrigin is not supported yet and has no effect',
    'gateway.remote is not supported yet and has no effect',
    'logging.redactSensitive is not supported yet and has no effect'
  ])
  assert.deepEqual(parseConfigText(FILE, '{ gateway: { mode: "local", controlUi: { allowedOrigins: [] } }, channels: {}, hooks: {} }', {}).warnings, [])
})

test('an empty file is an empty (valid) config; the start guards judge it', () => {
  assert.deepEqual(parseConfigText(FILE, '  \n', {}).config, {})
})

test('loadConfigFile: missing file, unreadable path, real file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-load-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const missing = await loadConfigFile(path.join(dir, 'none.json'), {})
  assert.equal(missing.exists, false)
  assert.equal(missing.raw, null)

  // A directory where the file should be: unreadable even as root (chmod 000 is not).
  const asDir = path.join(dir, 'dir.json')
  await mkdir(asDir)
  await assert.rejects(loadConfigFile(asDir, {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.equal(err.message, `invalid config ${asDir}: cannot read file (EISDIR)`)
    return true
  })

  const file = path.join(dir, 'ok.json')
  await writeFile(file, '{ gateway: { mode: "local" } }')
  assert.equal((await loadConfigFile(file, {})).config.gateway?.mode, 'local')
})
