// `openclaw gateway` start guards, run as the real CLI in a child process:
// each refusal is one line on stderr with the runbook's wording and exit code,
// nothing listens, and the config file is left byte-for-byte as it was.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import net from 'node:net'
import { baseConfig, freePort, makeHome, runCli, spawnGateway, writeConfig, type GatewayHome } from './support/spawn-gateway.js'

const BIND_HINT = 'set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD; legacy CLAWDBOT_* and MOLTBOT_* environment variables are ignored'

async function stateFiles (home: GatewayHome): Promise<string[]> {
  return await readdir(home.stateDir, { recursive: true }).catch(() => [])
}

/** Runs `gateway <args>` expecting a refusal, with the checks every refusal shares. */
async function refused (home: GatewayHome, args: string[], expect: { code: number, stderr: string | RegExp }, env?: Record<string, string | undefined>): Promise<void> {
  const before = await readFile(home.configPath).catch(() => undefined)
  const r = await runCli(home, ['gateway', ...args], { env })
  assert.equal(r.code, expect.code, `exit code; stderr: ${r.stderr}`)
  assert.equal(r.signal, null)
  assert.equal(r.stderr.split('\n').length, 2, `exactly one line on stderr: ${JSON.stringify(r.stderr)}`)
  const line = r.stderr.trimEnd()
  if (typeof expect.stderr === 'string') assert.equal(line, expect.stderr)
  else assert.match(line, expect.stderr)
  assert.doesNotMatch(r.stdout, /listening/i, 'never listened')
  const after = await readFile(home.configPath).catch(() => undefined)
  assert.deepEqual(after, before, 'config file unchanged')
  assert.ok(!(await stateFiles(home)).includes('gateway.lock'), 'no lock left behind')
}

describe('start guards', { concurrency: 3, timeout: 120_000 }, () => {
  test('missing config: exit 78 and nothing is created', async (t) => {
    const home = await makeHome(t, null)
    await refused(home, ['--port', String(await freePort())], {
      code: 78,
      stderr: 'Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).'
    })
    await assert.rejects(stat(home.configPath), { code: 'ENOENT' })
  })

  test('gateway.mode missing: exit 78', async (t) => {
    const home = await makeHome(t, null)
    await writeConfig(home, { logging: { file: home.logFile } })
    await refused(home, ['--port', String(await freePort())], {
      code: 78,
      stderr: 'Gateway start blocked: existing config is missing gateway.mode. Treat this as suspicious or clobbered config. Re-run `openclaw onboard --mode local` or `openclaw setup`, set gateway.mode=local manually, or pass --allow-unconfigured.'
    })
  })

  test('gateway.mode remote: exit 78', async (t) => {
    const home = await makeHome(t)
    await writeConfig(home, baseConfig(home, { gateway: { mode: 'remote' } }))
    await refused(home, ['--port', String(await freePort())], {
      code: 78,
      stderr: 'Gateway start blocked: set gateway.mode=local (current: remote) or pass --allow-unconfigured.'
    })
  })

  test('--bind lan without an explicit token or password: refused before binding, no token generated', async (t) => {
    const home = await makeHome(t)
    const port = await freePort()
    await refused(home, ['--bind', 'lan', '--port', String(port)], {
      code: 78,
      stderr: `refusing to bind gateway to 0.0.0.0:${port} without auth (${BIND_HINT})`
    })
    assert.deepEqual((await stateFiles(home)).filter((f) => f.startsWith('credentials')), [], 'no credentials written')
  })

  test('gateway.bind lan with auth mode none: refused', async (t) => {
    const home = await makeHome(t)
    await writeConfig(home, baseConfig(home, { gateway: { mode: 'local', bind: 'lan', auth: { mode: 'none' } } }))
    const port = await freePort()
    await refused(home, ['--port', String(port)], { code: 78, stderr: `refusing to bind gateway to 0.0.0.0:${port} without auth (${BIND_HINT})` })
  })

  test('a token from a variable set to "": no token, so --bind lan is refused', async (t) => {
    const home = await makeHome(t)
    await writeConfig(home, baseConfig(home, { gateway: { mode: 'local', auth: { token: '${OPENCLAW_GATEWAY_TOKEN}' } } }))
    const port = await freePort()
    await refused(home, ['--bind', 'lan', '--port', String(port)], { code: 78, stderr: `refusing to bind gateway to 0.0.0.0:${port} without auth (${BIND_HINT})` }, { OPENCLAW_GATEWAY_TOKEN: '' })
  })

  test('port in use: exit 1 after the retries', async (t) => {
    const home = await makeHome(t)
    const port = await freePort()
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    t.after(() => { blocker.close() })
    await refused(home, ['--port', String(port)], { code: 1, stderr: `another gateway instance is already listening on ws://127.0.0.1:${port}` })
  })

  const badConfigs: Array<[string, string | ((home: GatewayHome) => Record<string, unknown>), string]> = [
    ['malformed JSON5', '{ gateway: { mode: "local", }', 'malformed JSON5: invalid end of input at 1:\\d+'],
    ['a wrong type', (h) => baseConfig(h, { gateway: { mode: 'local', port: '18789' } }), 'gateway\\.port: expected integer'],
    ['an unknown key', (h) => baseConfig(h, { gateway: { mode: 'local', prot: 1 } }), 'gateway\\.prot: unknown key'],
    ['an unknown key in a provider', (h) => baseConfig(h, { models: { providers: { x: { api: 'openai-completions', baseUrl: 'http://127.0.0.1:1/v1', key: 'k' } } } }), 'models\\.providers\\.x\\.key: unknown key'],
    ['a port out of range', (h) => baseConfig(h, { gateway: { mode: 'local', port: 65536 } }), 'gateway\\.port: expected integer to be less or equal to 65535'],
    // Kept as text, the reference would be the token: a guessable one.
    ['a ${VAR} that is not set', (h) => baseConfig(h, { gateway: { mode: 'local', auth: { token: '${OPENCLAW_GATEWAY_TOKEN}' } } }), 'gateway\\.auth\\.token: environment variable OPENCLAW_GATEWAY_TOKEN is not set'],
    ['a bind host that is not an address', (h) => baseConfig(h, { gateway: { mode: 'local', bind: 'custom', customBindHost: 'not-an-ip' } }), 'gateway\\.customBindHost: "not-an-ip" is not an IP address']
  ]
  for (const [name, config, message] of badConfigs) {
    test(`config with ${name}: one line naming the file and the path, exit 78`, async (t) => {
      const home = await makeHome(t)
      await writeConfig(home, typeof config === 'string' ? config : config(home))
      const escaped = home.configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      await refused(home, ['--port', String(await freePort())], { code: 78, stderr: new RegExp(`^invalid config ${escaped}: ${message}$`) })
    })
  }

  test('unreadable config (a directory at the config path): exit 78 naming the file', async (t) => {
    const home = await makeHome(t, null)
    await mkdir(home.configPath, { recursive: true })
    await refused(home, ['--port', String(await freePort())], { code: 78, stderr: `invalid config ${home.configPath}: cannot read file (EISDIR)` })
    assert.ok((await stat(home.configPath)).isDirectory())
  })

  test('--port out of range: exit 78 naming the flag (other bad values: config-settings unit tests)', async (t) => {
    const home = await makeHome(t)
    await refused(home, ['--port', '70000'], { code: 78, stderr: '--port: port must be an integer from 1 to 65535' })
  })

  test('OPENCLAW_GATEWAY_PORT out of range: exit 78 naming the variable', async (t) => {
    const home = await makeHome(t)
    await refused(home, [], { code: 78, stderr: 'OPENCLAW_GATEWAY_PORT: port must be an integer from 1 to 65535' }, { OPENCLAW_GATEWAY_PORT: '99999' })
  })
})

describe('CLI usage errors', { concurrency: 2, timeout: 60_000 }, () => {
  test('an unknown command prints help and exits non-zero', async (t) => {
    const home = await makeHome(t)
    const r = await runCli(home, ['bogus'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /Unknown argument: bogus/)
    assert.match(r.stderr, /Commands:[\s\S]*openclaw gateway/)
    assert.equal(r.stdout, '')
  })

  test('an unknown flag prints the command help and exits non-zero, without starting', async (t) => {
    const home = await makeHome(t)
    const r = await runCli(home, ['gateway', '--bogus', '--port', String(await freePort())])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /Unknown argument: bogus/)
    assert.match(r.stderr, /--allow-unconfigured/)
    assert.doesNotMatch(r.stdout, /listening/)
    await assert.rejects(stat(home.logFile), { code: 'ENOENT' }, 'the gateway wrote a log: it started')
  })

  test('no command at all is an error too', async (t) => {
    const home = await makeHome(t)
    const r = await runCli(home, [])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /Name a command\./)
  })

  test('a bad --bind choice is a usage error', async (t) => {
    const home = await makeHome(t)
    const proc = spawnGateway(home, ['--bind', 'everywhere'])
    const exit = await proc.waitExit()
    assert.notEqual(exit.code, 0)
    assert.match(proc.stderr, /Invalid values:[\s\S]*bind/)
  })
})
