// `openclaw doctor`: healthy against a running gateway, failing with the path
// on a broken config, and permission repairs with --fix / token generation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, stat } from 'node:fs/promises'
import path from 'node:path'
import { baseConfig, freePort, makeHome, runCli, spawnGateway, writeConfig } from './support/spawn-gateway.js'

const NO_SYSTEMCTL = { OPENCLAW_SYSTEMCTL: '/nonexistent/systemctl' }
const mode = async (p: string) => (await stat(p)).mode & 0o777

test('doctor is healthy against a running gateway', { timeout: 60_000 }, async (t) => {
  const port = await freePort()
  const home = await makeHome(t)
  await writeConfig(home, baseConfig(home, { gateway: { port } }))
  const gw = spawnGateway(home, ['--allow-unconfigured', '--port', String(port)])
  await gw.listening()
  const r = await runCli(home, ['doctor'], { env: NO_SYSTEMCTL, timeoutMs: 30_000 })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.match(r.stdout, new RegExp(`^\\[ok\\] +config: ${escape(home.configPath)} loads and validates$`, 'm'))
  assert.match(r.stdout, /^\[ok\] +gateway\.mode: gateway\.mode is "local"$/m)
  assert.match(r.stdout, new RegExp(`^\\[ok\\] +port: port ${port} is held by this state dir's gateway \\(pid ${gw.pid}\\)$`, 'm'))
  assert.match(r.stdout, new RegExp(`^\\[ok\\] +gateway: gateway \\S+ answers at ws://127\\.0\\.0\\.1:${port} \\(admin-capable\\)$`, 'm'))
  assert.match(r.stdout, /^\[ok\] +health: health ok$/m)
  assert.match(r.stdout, /^\[ok\] +token-file: .*gateway-token is mode 0600$/m)
  assert.doesNotMatch(r.stdout, /^\[fail\]/m)
  assert.match(r.stdout, /^Summary: \d+ ok, \d+ warnings?, 0 failures$/m)
  const j = await runCli(home, ['doctor', '--json'], { env: NO_SYSTEMCTL, timeoutMs: 30_000 })
  assert.equal(JSON.parse(j.stdout).ok, true)
})

test('doctor fails on a broken config and names the file', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t, '{ gateway: { mode: "local", port: "not-a-port" } }')
  const r = await runCli(home, ['doctor'], { env: NO_SYSTEMCTL })
  assert.equal(r.code, 1)
  assert.match(r.stdout, new RegExp(`^\\[fail\\] config: invalid config ${escape(home.configPath)}: gateway\\.port: `, 'm'))
  const missing = await makeHome(t, null)
  const m = await runCli(missing, ['doctor'], { env: NO_SYSTEMCTL })
  assert.equal(m.code, 1)
  assert.match(m.stdout, new RegExp(`no config file at ${escape(missing.configPath)}`))
  assert.match(m.stdout, /openclaw setup/)
})

test('doctor --generate-gateway-token and --fix repair credentials permissions', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t)
  const token = path.join(home.stateDir, 'credentials', 'gateway-token')
  const gen = await runCli(home, ['doctor', '--generate-gateway-token'], { env: NO_SYSTEMCTL })
  assert.match(gen.stdout, /^\[ok\] +token-file: generated a gateway token in .* \(fixed\)$/m)
  assert.equal(await mode(token), 0o600)

  await chmod(home.stateDir, 0o755)
  await chmod(token, 0o644)
  const broken = await runCli(home, ['doctor'], { env: NO_SYSTEMCTL })
  assert.equal(broken.code, 1)
  assert.match(broken.stdout, /^\[fail\] token-file: .*gateway-token is mode 0644, expected 0600$/m)
  assert.match(broken.stdout, /^\[warn\] state-dir: .* is mode 0755, expected 0700$/m)

  const fixed = await runCli(home, ['doctor', '--fix'], { env: NO_SYSTEMCTL })
  assert.equal(fixed.code, 0, fixed.stdout)
  assert.equal(await mode(token), 0o600)
  assert.equal(await mode(home.stateDir), 0o700)
  assert.match(fixed.stdout, /^\[ok\] +token-file: .*: mode 0644 → 0600 \(fixed\)$/m)
  assert.match(fixed.stdout, /^\[warn\] gateway: gateway is not running/m)
})

function escape (s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }
