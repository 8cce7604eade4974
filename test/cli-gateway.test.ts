// `openclaw gateway` end to end, as the real CLI in child processes: first
// start, the generated token, port precedence, the state-dir lock, two
// gateways side by side, signals, and --force (against a foreign listener and
// against this state dir's own gateway).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { findListeningPids } from '../src/force.js'
import { baseConfig, freePort, makeHome, request, spawnGateway, spawnPortHolder, writeConfig, type GatewayHome, type Spawned } from './support/spawn-gateway.js'

const lockFile = (home: GatewayHome) => path.join(home.stateDir, 'gateway.lock')
const exists = async (file: string) => await stat(file).then(() => true, () => false)

async function healthz (port: number): Promise<unknown> {
  const res = await request(port, '/healthz')
  assert.equal(res.status, 200)
  return await res.json()
}

/** Starts a gateway on a free port and waits until it says it listens. */
async function started (home: GatewayHome, args: string[] = [], env?: Record<string, string>): Promise<{ proc: Spawned, port: number }> {
  const port = await freePort()
  const proc = spawnGateway(home, ['--port', String(port), ...args], { env })
  assert.equal(await proc.listening(), port)
  return { proc, port }
}

describe('gateway process', { concurrency: 3, timeout: 120_000 }, () => {
  test('--allow-unconfigured writes a minimal local config (0600) and logs to the default daily file', async (t) => {
    const home = await makeHome(t, null)
    const { proc, port } = await started(home, ['--allow-unconfigured'])
    assert.deepEqual(await healthz(port), { ok: true, status: 'live' })
    const text = await readFile(home.configPath, 'utf8')
    assert.match(text, /gateway: \{ mode: "local" \}/)
    assert.equal((await stat(home.configPath)).mode & 0o777, 0o600)
    // No logging.file: the daily file under $TMPDIR/openclaw/ (TMPDIR is the temp home).
    const logs = await readdir(path.join(home.dir, 'openclaw'))
    assert.equal(logs.length, 1)
    assert.match(logs[0]!, /^openclaw-\d{4}-\d{2}-\d{2}\.log$/)
    proc.signal('SIGTERM')
    assert.deepEqual(await proc.waitExit(), { code: 0, signal: null })
  })

  test('first start generates a token (0600) that is reused next time and never printed in full', async (t) => {
    const home = await makeHome(t)
    const tokenFile = path.join(home.stateDir, 'credentials', 'gateway-token')

    const first = await started(home)
    await first.proc.waitFor(/dashboard: .*token (\S{4})…/)
    const token = (await readFile(tokenFile, 'utf8')).trim()
    assert.match(token, /^[0-9a-f]{64}$/)
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600)
    first.proc.signal('SIGTERM')
    assert.equal((await first.proc.waitExit()).code, 0)

    const second = await started(home)
    const [, prefix] = await second.proc.waitFor(/dashboard: .*token (\S{4})… \(full token in (\S+)\)/)
    assert.equal(prefix, token.slice(0, 4))
    assert.equal((await readFile(tokenFile, 'utf8')).trim(), token, 'reused, not regenerated')
    second.proc.signal('SIGTERM')
    assert.equal((await second.proc.waitExit()).code, 0)

    const log = await readFile(home.logFile, 'utf8')
    for (const [what, text] of [['stdout', first.proc.stdout + second.proc.stdout], ['stderr', first.proc.stderr + second.proc.stderr], ['log file', log]]) {
      assert.ok(!text!.includes(token), `${what} contains the full token`)
      assert.ok(!text!.includes(token.slice(0, 12)), `${what} contains a long token prefix`)
    }
  })

  test('port precedence: --port beats OPENCLAW_GATEWAY_PORT beats gateway.port', async (t) => {
    type Case = { args: (p: Ports) => string[], env: (p: Ports) => Record<string, string>, expect: keyof Ports }
    interface Ports { cli: number, env: number, cfg: number }
    const cases: Case[] = [
      { args: (p) => ['--port', String(p.cli)], env: (p) => ({ OPENCLAW_GATEWAY_PORT: String(p.env) }), expect: 'cli' },
      { args: () => [], env: (p) => ({ OPENCLAW_GATEWAY_PORT: String(p.env) }), expect: 'env' },
      { args: () => [], env: () => ({}), expect: 'cfg' },
      // --dev defaults to 19001 but yields to the environment.
      { args: () => ['--dev'], env: (p) => ({ OPENCLAW_GATEWAY_PORT: String(p.env) }), expect: 'env' }
    ]
    // One at a time: start-up is CPU-bound, and the other tests in this file already run alongside.
    for (const c of cases) {
      const ports: Ports = { cli: await freePort(), env: await freePort(), cfg: await freePort() }
      const home = await makeHome(t)
      await writeConfig(home, baseConfig(home, { gateway: { mode: 'local', port: ports.cfg } }))
      const proc = spawnGateway(home, c.args(ports), { env: c.env(ports) })
      assert.equal(await proc.listening(), ports[c.expect], `${c.args(ports).join(' ')} ${JSON.stringify(c.env(ports))}`)
      assert.deepEqual(await healthz(ports[c.expect]), { ok: true, status: 'live' })
      proc.signal('SIGTERM')
      assert.equal((await proc.waitExit()).code, 0)
    }
  })

  test('a second gateway on the same state dir is refused: "gateway already running (pid N)", exit 78', async (t) => {
    const home = await makeHome(t)
    const first = await started(home)
    const lock = JSON.parse(await readFile(lockFile(home), 'utf8')) as { pid: number, port: number }
    assert.equal(lock.pid, first.proc.pid)
    assert.equal(lock.port, first.port)

    const second = spawnGateway(home, ['--port', String(await freePort())])
    assert.deepEqual(await second.waitExit(), { code: 78, signal: null })
    assert.equal(second.stderr, `gateway already running (pid ${first.proc.pid})\n`)
    assert.doesNotMatch(second.stdout, /listening/)
    // The first one is unharmed and still owns the lock.
    assert.deepEqual(await healthz(first.port), { ok: true, status: 'live' })
    assert.equal(JSON.parse(await readFile(lockFile(home), 'utf8')).pid, first.proc.pid)
  })

  test('two gateways side by side (own ports, config paths, state dirs) both answer /healthz', async (t) => {
    const [a, b] = [await makeHome(t), await makeHome(t)]
    const [ga, gb] = await Promise.all([started(a), started(b)])
    assert.notEqual(ga.port, gb.port)
    assert.deepEqual(await Promise.all([healthz(ga.port), healthz(gb.port)]), [{ ok: true, status: 'live' }, { ok: true, status: 'live' }])
    assert.equal(JSON.parse(await readFile(lockFile(a), 'utf8')).pid, ga.proc.pid)
    assert.equal(JSON.parse(await readFile(lockFile(b), 'utf8')).pid, gb.proc.pid)
  })

  test('SIGHUP does not stop the gateway; SIGTERM exits 0 and removes the lock', async (t) => {
    const home = await makeHome(t)
    const { proc, port } = await started(home)
    assert.ok(await exists(lockFile(home)))
    proc.signal('SIGHUP')
    await proc.waitFor(/SIGHUP: config reload requested/)
    assert.deepEqual(await healthz(port), { ok: true, status: 'live' })
    assert.equal(proc.exit, undefined)

    proc.signal('SIGTERM')
    assert.deepEqual(await proc.waitExit(), { code: 0, signal: null })
    assert.match(proc.stdout, /received SIGTERM; shutting down/)
    assert.equal(await exists(lockFile(home)), false)
    assert.match(await readFile(home.logFile, 'utf8'), /received SIGTERM; shutting down/)
  })

  test('SIGINT exits 0 and removes the lock', async (t) => {
    const home = await makeHome(t)
    const { proc } = await started(home)
    proc.signal('SIGINT')
    assert.deepEqual(await proc.waitExit(), { code: 0, signal: null })
    assert.match(proc.stdout, /received SIGINT; shutting down/)
    assert.equal(await exists(lockFile(home)), false)
  })

  test('--force stops whoever holds the port, says so, and starts', async (t) => {
    const home = await makeHome(t)
    const port = await freePort()
    const holder = await spawnPortHolder(t, port)
    const proc = spawnGateway(home, ['--force', '--port', String(port)])
    assert.equal(await proc.listening(), port)
    assert.match(proc.stdout, new RegExp(`force: killed pid ${holder.pid} on port ${port}`))
    assert.deepEqual(await holder.waitExit(5_000), { code: null, signal: 'SIGTERM' })
    assert.deepEqual(await healthz(port), { ok: true, status: 'live' })
    assert.match(await readFile(home.logFile, 'utf8'), new RegExp(`"msg":"force: killed pid ${holder.pid} on port ${port}"`))
  })

  test('--force replaces the gateway already running from this state dir; without it, the start is refused', async (t) => {
    const home = await makeHome(t)
    const old = await started(home)

    const refused = spawnGateway(home, ['--port', String(old.port)])
    assert.deepEqual(await refused.waitExit(), { code: 78, signal: null })
    assert.equal(refused.stderr, `gateway already running (pid ${old.proc.pid})\n`)
    assert.equal(old.proc.exit, undefined, 'a start without --force left the running gateway alone')

    const next = spawnGateway(home, ['--force', '--port', String(old.port)])
    assert.equal(await next.listening(), old.port)
    // Stopped the graceful way (SIGTERM, drained, exit 0), not killed.
    assert.deepEqual(await old.proc.waitExit(5_000), { code: 0, signal: null })
    assert.match(old.proc.stdout, /received SIGTERM; shutting down/)
    assert.match(next.stdout, new RegExp(`force: stopped the running gateway \\(pid ${old.proc.pid}, port ${old.port}\\)`))
    assert.doesNotMatch(next.stdout, /force: killed pid/)
    assert.notEqual(next.pid, old.proc.pid)
    assert.deepEqual(await findListeningPids(old.port), [next.pid], 'the new process is the one listening')
    assert.deepEqual(await healthz(old.port), { ok: true, status: 'live' })
    assert.equal(JSON.parse(await readFile(lockFile(home), 'utf8')).pid, next.pid)
  })

  test('--force never signals a live lock owner it cannot verify as a gateway: refused, exit 78', async (t) => {
    const home = await makeHome(t)
    const heldPort = await freePort()
    // A plain node process listening on the port the lock names: a recycled pid, as far as we know.
    const stranger = await spawnPortHolder(t, heldPort)
    await mkdir(home.stateDir, { recursive: true })
    await writeFile(lockFile(home), JSON.stringify({ pid: stranger.pid, port: heldPort, startedAt: Date.now() }))

    const proc = spawnGateway(home, ['--force', '--port', String(await freePort())])
    assert.deepEqual(await proc.waitExit(), { code: 78, signal: null })
    assert.match(proc.stderr, new RegExp(`^gateway already running \\(pid ${stranger.pid}\\), but --force cannot verify it is a gateway listening on port ${heldPort}; not signalling it`))
    assert.doesNotMatch(proc.stdout, /listening on/)
    assert.equal(stranger.exit, undefined, 'the lock owner was signalled')
    assert.deepEqual(await findListeningPids(heldPort), [stranger.pid])
  })
})
