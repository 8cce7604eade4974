// The query commands against a real gateway child process (built CLI, temp
// home and state dir, its own port): gateway status, status, health, gateway
// call, logs, secrets reload, sessions cleanup, channels status, and the auth/--url failures.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { baseConfig, freePort, makeHome, runCli, spawnCli, spawnGateway, writeConfig } from './support/spawn-gateway.js'

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

test('CLI commands against a running gateway', { timeout: 120_000 }, async (t) => {
  const port = await freePort()
  const home = await makeHome(t)
  await writeConfig(home, baseConfig(home, { gateway: { port } }))
  const gw = spawnGateway(home, ['--allow-unconfigured', '--port', String(port)])
  assert.equal(await gw.listening(), port)
  const cli = async (...args: string[]) => await runCli(home, args, { timeoutMs: 20_000 })

  await t.test('gateway status: running, RPC probe ok, admin-capable', async () => {
    const r = await cli('gateway', 'status')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^Runtime: running \\(pid ${gw.pid}, lock file\\)$`, 'm'))
    assert.match(r.stdout, /^Connectivity probe: ok/m)
    assert.match(r.stdout, /^RPC probe: ok$/m)
    assert.match(r.stdout, /^Capability: admin-capable$/m)
    assert.match(r.stdout, new RegExp(`^Gateway: ws://127\\.0\\.0\\.1:${port} \\(bind loopback\\)$`, 'm'))
    assert.match(r.stdout, new RegExp(`^Config \\(cli\\): ${escape(home.configPath)}$`, 'm'))
    assert.match(r.stdout, new RegExp(`^Log file: ${escape(home.logFile)}$`, 'm'))
  })

  await t.test('gateway status --json --deep --require-rpc', async () => {
    const r = await cli('gateway', 'status', '--json', '--deep', '--require-rpc')
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.equal(report.rpc.ok, true)
    assert.equal(report.rpc.connect.ok, true)
    assert.equal(report.rpc.capability, 'admin-capable')
    assert.ok(report.rpc.scopes.includes('operator.admin'))
    assert.equal(report.gateway.version, pkg.version)
    assert.equal(report.gateway.port, port)
    assert.equal(report.gateway.portSource, 'config', 'the lock names the configured port: nothing to override')
    assert.equal(report.gateway.configuredPort, port)
    assert.equal(report.service.runtime, 'running')
    assert.equal(report.service.lock.pid, gw.pid)
    assert.equal(report.service.installed, false)
    assert.equal(report.health.ok, true)
    assert.equal(report.config.valid, true)
  })

  await t.test('health, gateway health and health --json', async () => {
    const r = await cli('health')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^Gateway health: ok \\(ws://127\\.0\\.0\\.1:${port}, `, 'm'))
    const g = await cli('gateway', 'health', '--port', String(port))
    assert.equal(g.code, 0, g.stderr)
    assert.match(g.stdout, /^Gateway health: ok/m)
    const j = await cli('health', '--json')
    assert.equal(JSON.parse(j.stdout).ok, true)
  })

  await t.test('status: reachable, server facts and health summary', async () => {
    const r = await cli('status')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^Gateway: reachable at ws://127\\.0\\.0\\.1:${port} `, 'm'))
    assert.match(r.stdout, /^Capability: admin-capable/m)
    assert.match(r.stdout, /^Health: ok/m)
    const j = JSON.parse((await cli('status', '--json')).stdout)
    assert.equal(j.gateway.reachable, true)
    assert.equal(j.status.gateway.port, port)
    assert.equal(j.health.ok, true)
  })

  await t.test('gateway call: payload as JSON, RPC errors exit 1', async () => {
    const r = await cli('gateway', 'call', 'health')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).ok, true)
    const bad = await cli('gateway', 'call', 'no.such.method', '--params', '{}')
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /no\.such\.method failed: INVALID_REQUEST: unknown method: no\.such\.method/)
    const badJson = await cli('gateway', 'call', 'no.such.method', '--json')
    assert.equal(badJson.code, 1)
    assert.deepEqual(JSON.parse(badJson.stdout), { ok: false, error: { code: 'INVALID_REQUEST', message: 'unknown method: no.such.method' } })
    const badParams = await cli('gateway', 'call', 'health', '--params', '[1]')
    assert.equal(badParams.code, 1)
    assert.match(badParams.stderr, /--params must be a JSON object/)
  })

  await t.test('logs prints recent lines; --json prints the raw records', async () => {
    const r = await cli('logs', '--limit', '50')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^\\S+ info +\\[gateway\\] listening on ws://127\\.0\\.0\\.1:${port}`, 'm'))
    const j = await cli('logs', '--json', '--limit', '5')
    assert.equal(j.code, 0, j.stderr)
    const lines = j.stdout.trim().split('\n')
    assert.ok(lines.length >= 1 && lines.length <= 5, j.stdout)
    for (const line of lines) assert.equal(typeof JSON.parse(line).msg, 'string')
  })

  await t.test('logs --follow prints new lines as they are written', async () => {
    const follow = spawnCli(home, ['logs', '--follow', '--interval', '100', '--limit', '5'])
    await follow.waitFor(/\[gateway\]/, 15_000)
    // A refused connect is logged by the gateway; the follower must pick it up.
    const denied = await cli('health', '--token', 'definitely-wrong')
    assert.equal(denied.code, 1)
    await follow.waitFor(/unauthorized/, 15_000)
    follow.signal('SIGTERM')
    const exit = await follow.waitExit(10_000)
    assert.equal(exit.code, 0, follow.stderr)
  })

  await t.test('secrets reload prints ok (warnings: N)', async () => {
    const r = await cli('secrets', 'reload')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^ok \(warnings: \d+\)$/m)
  })

  await t.test('sessions cleanup --dry-run reports the pass without removing; --json is the RPC result', async () => {
    const r = await cli('sessions', 'cleanup', '--dry-run')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^Dry run \(mode enforce\): would remove 0 session\(s\)$/m)
    const j = await cli('sessions', 'cleanup', '--dry-run', '--json')
    assert.equal(j.code, 0, j.stderr)
    const res = JSON.parse(j.stdout)
    assert.deepEqual([res.ok, res.dryRun, res.removed], [true, true, 0])
  })

  await t.test('channels status --probe: gateway reachable, no channels configured', async () => {
    const r = await cli('channels', 'status', '--probe')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^Gateway: reachable at ws://127\\.0\\.0\\.1:${port}`, 'm'))
    assert.match(r.stdout, /^Channels: none/m)
  })

  await t.test('a wrong token: the server message, a hint, exit 1', async () => {
    const r = await cli('status', '--token', 'nope')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^unauthorized: gateway token mismatch \(/m)
    assert.match(r.stderr, /^Hint: the CLI sent token from --token/m)
  })

  await t.test('--url needs explicit credentials and then works', async () => {
    const url = `ws://127.0.0.1:${port}`
    const r = await cli('health', '--url', url)
    assert.equal(r.code, 1)
    assert.match(r.stderr, /--url needs explicit credentials/)
    const token = (await readFile(path.join(home.stateDir, 'credentials', 'gateway-token'), 'utf8')).trim()
    const ok = await cli('health', '--url', url, '--token', token)
    assert.equal(ok.code, 0, ok.stderr)
  })

  await t.test('OPENCLAW_GATEWAY_TOKEN outranks the generated token', async () => {
    const r = await runCli(home, ['health'], { env: { OPENCLAW_GATEWAY_TOKEN: 'env-token-wrong' }, timeoutMs: 20_000 })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /token from OPENCLAW_GATEWAY_TOKEN/)
  })
})

test('gateway status probes the port the running gateway listens on (its lock), unless --port says otherwise', { timeout: 90_000 }, async (t) => {
  const [configured, actual] = [await freePort(), await freePort()]
  const home = await makeHome(t)
  await writeConfig(home, baseConfig(home, { gateway: { port: configured } }))
  const gw = spawnGateway(home, ['--port', String(actual)])
  assert.equal(await gw.listening(), actual)
  const cli = async (args: string[], env?: Record<string, string>) => await runCli(home, args, { env, timeoutMs: 20_000 })
  const lockNote = (says: string) => new RegExp(`^Probed: ws://127\\.0\\.0\\.1:${actual} \\(from the running gateway's lock; ${says} ${configured}\\)$`, 'm')

  const human = await cli(['gateway', 'status', '--require-rpc'])
  assert.equal(human.code, 0, human.stdout + human.stderr)
  assert.match(human.stdout, new RegExp(`^Gateway: ws://127\\.0\\.0\\.1:${actual} `, 'm'))
  assert.match(human.stdout, lockNote('config says'))
  assert.match(human.stdout, /^RPC probe: ok$/m)

  const json = JSON.parse((await cli(['gateway', 'status', '--json', '--require-rpc'])).stdout)
  assert.deepEqual([json.gateway.port, json.gateway.portSource, json.gateway.configuredPort], [actual, 'lock', configured])
  assert.equal(json.rpc.ok, true)
  assert.equal(json.service.lock.pid, gw.pid)

  // OPENCLAW_GATEWAY_PORT is configuration too: the live lock still wins, and the line says where the other port came from.
  const env = await cli(['gateway', 'status'], { OPENCLAW_GATEWAY_PORT: String(configured) })
  assert.match(env.stdout, lockNote('OPENCLAW_GATEWAY_PORT says'))
  assert.match(env.stdout, /^RPC probe: ok$/m)

  // An explicit --port wins over the lock, even when nothing listens there.
  const explicit = JSON.parse((await cli(['gateway', 'status', '--json', '--port', String(configured), '--timeout', '5000'])).stdout)
  assert.deepEqual([explicit.gateway.port, explicit.gateway.portSource, explicit.rpc.ok], [configured, 'cli', false])
  const explicitHuman = await cli(['gateway', 'status', '--port', String(configured), '--timeout', '5000'])
  assert.doesNotMatch(explicitHuman.stdout, /^Probed:/m)
  assert.match(explicitHuman.stdout, new RegExp(`^Note: the gateway from this state dir listens on port ${actual} \\(lock file\\); probing port ${configured}$`, 'm'))
})

test('without a gateway: status fails clearly, gateway status reports stopped, logs read the file', { timeout: 60_000 }, async (t) => {
  const port = await freePort()
  const home = await makeHome(t)
  await writeConfig(home, baseConfig(home, { gateway: { port } }))
  const cli = async (...args: string[]) => await runCli(home, args, { timeoutMs: 20_000 })

  const status = await cli('status')
  assert.equal(status.code, 1)
  assert.match(status.stderr, new RegExp(`^gateway not reachable at ws://127\\.0\\.0\\.1:${port} \\(connection refused\\)$`, 'm'))
  assert.match(status.stderr, /^Hint: start it with `openclaw gateway`/m)

  const gs = await cli('gateway', 'status')
  assert.equal(gs.code, 0, 'without --require-rpc a down gateway is a report, not a failure')
  assert.match(gs.stdout, /^Runtime: stopped$/m)
  assert.match(gs.stdout, /^Connectivity probe: failed — gateway not reachable/m)
  assert.equal((await cli('gateway', 'status', '--require-rpc')).code, 1)
  const noProbe = await cli('gateway', 'status', '--no-probe', '--require-rpc')
  assert.equal(noProbe.code, 1)
  assert.match(noProbe.stderr, /--require-rpc cannot be used with --no-probe/)

  await writeFile(home.logFile, `${JSON.stringify({ level: 40, time: '2026-01-02T03:04:05.000Z', subsystem: 'ws', msg: 'from the file' })}\nnot json\n`)
  const logs = await cli('logs')
  assert.equal(logs.code, 0, logs.stderr)
  assert.equal(logs.stdout, '2026-01-02T03:04:05.000Z warn  [ws] from the file\nnot json\n')
  assert.match(logs.stderr, /reading the local log file/)
  const follow = await cli('logs', '--follow')
  assert.equal(follow.code, 1, 'following needs the gateway')

  const channels = await cli('channels', 'status', '--probe')
  assert.equal(channels.code, 1)
  assert.match(channels.stdout, /^Gateway: gateway not reachable/m)
  assert.equal((await cli('channels', 'status')).code, 0)
})

function escape (s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }
