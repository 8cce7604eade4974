// `openclaw setup` (default and --dev profile) and the CLI's refusal of
// unknown commands and flags.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import JSON5 from 'json5'
import { freePort, makeHome, runCli, spawnGateway } from './support/spawn-gateway.js'

test('setup creates a 0700 state dir and a minimal local config the gateway starts with', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t, null)
  const r = await runCli(home, ['setup'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^State dir: ${escape(home.stateDir)} \\(created\\)$`, 'm'))
  assert.match(r.stdout, new RegExp(`^Config: ${escape(home.configPath)} \\(created\\)$`, 'm'))
  assert.equal((await stat(home.stateDir)).mode & 0o777, 0o700)
  assert.equal((await stat(home.configPath)).mode & 0o777, 0o600)
  const text = await readFile(home.configPath, 'utf8')
  assert.deepEqual(JSON5.parse(text), { gateway: { mode: 'local' } })

  const again = await runCli(home, ['setup'])
  assert.match(again.stdout, /\(exists, left unchanged\)/)
  assert.equal(await readFile(home.configPath, 'utf8'), text)

  // No --allow-unconfigured: the config setup wrote is enough to start.
  const port = await freePort()
  const gw = spawnGateway(home, ['--port', String(port)])
  assert.equal(await gw.listening(), port)
})

test('--dev setup uses ~/.openclaw-dev and port 19001', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t, null)
  const env = { OPENCLAW_STATE_DIR: undefined, OPENCLAW_CONFIG_PATH: undefined }
  const r = await runCli(home, ['--dev', 'setup'], { env })
  assert.equal(r.code, 0, r.stderr)
  const devConfig = path.join(home.dir, '.openclaw-dev', 'openclaw.json')
  assert.match(r.stdout, new RegExp(`^Config: ${escape(devConfig)} \\(created\\)$`, 'm'))
  assert.match(r.stdout, /^Profile: dev$/m)
  assert.match(r.stdout, /`openclaw --dev gateway` \(listens on ws:\/\/127\.0\.0\.1:19001\)/)
  assert.deepEqual(JSON5.parse(await readFile(devConfig, 'utf8')), { gateway: { mode: 'local' } })
})

test('unknown commands and flags print help and exit non-zero', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t)
  const cmd = await runCli(home, ['frobnicate'])
  assert.notEqual(cmd.code, 0)
  assert.match(cmd.stderr, /Commands:/)
  const flag = await runCli(home, ['gateway', 'status', '--frobnicate'])
  assert.notEqual(flag.code, 0)
  assert.match(flag.stderr, /Unknown argument: frobnicate/)
  // The run flags of `gateway` do not leak into its subcommands.
  const leaked = await runCli(home, ['gateway', 'stop', '--allow-unconfigured'])
  assert.notEqual(leaked.code, 0)
  assert.match(leaked.stderr, /Unknown arguments?: allow-unconfigured/)
  const none = await runCli(home, ['secrets'])
  assert.notEqual(none.code, 0)
  assert.match(none.stderr, /Name a secrets command/)
})

function escape (s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }
