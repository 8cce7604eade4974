// Service lifecycle: `gateway install` (unit file in a temp HOME; systemctl is a
// recording fake via OPENCLAW_SYSTEMCTL, never the machine's), status/stop under
// "systemd", doctor's drift check, and stop/restart of an unsupervised gateway.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pidAlive } from '../src/config/state.js'
import { CLI, baseConfig, freePort, makeHome, runCli, spawnGateway, writeConfig, type GatewayHome } from './support/spawn-gateway.js'

const NO_SYSTEMCTL = { OPENCLAW_SYSTEMCTL: '/nonexistent/systemctl' }

/** A systemctl stand-in that logs its argv and answers is-active with $FAKE_ACTIVE. */
async function fakeSystemctl (home: GatewayHome, exitCode = 0) {
  const file = path.join(home.dir, 'systemctl')
  const log = path.join(home.dir, 'systemctl.log')
  await writeFile(file, [
    '#!/bin/sh',
    'echo "$*" >> "$FAKE_SYSTEMCTL_LOG"',
    'case "$2" in',
    '  is-active) echo "${FAKE_ACTIVE:-inactive}" ;;',
    '  is-enabled) echo enabled ;;',
    '  show) echo 0 ;;',
    'esac',
    `exit ${exitCode}`,
    ''
  ].join('\n'))
  await chmod(file, 0o755)
  const env = (active = 'inactive') => ({ OPENCLAW_SYSTEMCTL: file, FAKE_SYSTEMCTL_LOG: log, FAKE_ACTIVE: active })
  const calls = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter((l) => l !== '')
  return { env, calls }
}

const unitFile = (home: GatewayHome, name = 'openclaw-gateway.service') => path.join(home.dir, '.config', 'systemd', 'user', name)

test('gateway install writes the unit, enables it through systemctl, and detects drift', { timeout: 90_000 }, async (t) => {
  const port = await freePort()
  const home = await makeHome(t)
  await writeConfig(home, baseConfig(home, { gateway: { port } }))
  const systemctl = await fakeSystemctl(home)
  const cli = async (args: string[], env: Record<string, string> = systemctl.env()) => await runCli(home, args, { env, timeoutMs: 20_000 })

  const r = await cli(['gateway', 'install'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^Installed systemd user unit: ${escape(unitFile(home))}$`, 'm'))
  const unit = await readFile(unitFile(home), 'utf8')
  const lines = unit.split('\n')
  for (const line of [
    `ExecStart=${process.execPath} ${CLI} gateway --port ${port}`,
    `Environment=OPENCLAW_STATE_DIR=${home.stateDir}`,
    `Environment=OPENCLAW_CONFIG_PATH=${home.configPath}`,
    'Restart=always', 'RestartSec=5', 'RestartPreventExitStatus=78', 'TimeoutStopSec=330', 'TimeoutStartSec=30',
    'SuccessExitStatus=0 143', 'OOMPolicy=continue', 'KillMode=mixed', 'After=network-online.target',
    'Wants=network-online.target', 'StartLimitBurst=10', 'StartLimitIntervalSec=300', 'WantedBy=default.target'
  ]) assert.ok(lines.includes(line), `missing ${line}\n${unit}`)
  assert.equal(lines.some((l) => l.startsWith('Environment=OPENCLAW_PROFILE')), false)
  assert.deepEqual(await systemctl.calls(), ['--user daemon-reload', '--user enable --now openclaw-gateway.service'])

  const again = await cli(['gateway', 'install'])
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /already installed \(unchanged\)/)

  const other = port === 65535 ? port - 1 : port + 1
  const refused = await cli(['gateway', 'install', '--port', String(other)])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, new RegExp(`port ${port} → ${other}`))
  assert.match(refused.stderr, /--force/)

  const forced = await cli(['gateway', 'install', '--port', String(other), '--force'])
  assert.equal(forced.code, 0, forced.stderr)
  assert.match(forced.stdout, /^Replaced systemd user unit/m)
  assert.match(await readFile(unitFile(home), 'utf8'), new RegExp(`gateway --port ${other}\\n`))
  assert.ok((await systemctl.calls()).includes('--user restart openclaw-gateway.service'))

  await t.test('status and stop go through systemd when the unit is active', async () => {
    const status = await cli(['gateway', 'status', '--no-probe'], systemctl.env('active'))
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /^Service: systemd user unit openclaw-gateway\.service \(installed; enabled, active\)$/m)
    assert.match(status.stdout, /^Runtime: running \(systemd\)$/m)
    assert.match(status.stdout, new RegExp(`^Note: the service unit runs port ${other}, the CLI resolves port ${port}`, 'm'))
    const stop = await cli(['gateway', 'stop'], systemctl.env('active'))
    assert.equal(stop.code, 0, stop.stderr)
    assert.match(stop.stdout, /^Stopped openclaw-gateway\.service \(systemd\)\.$/m)
    assert.ok((await systemctl.calls()).includes('--user stop openclaw-gateway.service'))
  })

  await t.test('doctor reports the port drift and --fix rewrites the unit', async () => {
    const report = await cli(['doctor'])
    assert.match(report.stdout, new RegExp(`^\\[warn\\] service: service unit drift: port ${other} in the unit ≠ ${port} from the config$`, 'm'))
    const fixed = await cli(['doctor', '--fix'])
    assert.match(fixed.stdout, /^\[ok\] +service: rewrote .* \(fixed\)$/m)
    assert.match(await readFile(unitFile(home), 'utf8'), new RegExp(`gateway --port ${port}\\n`))
  })
})

test('gateway install without a usable systemd prints the commands and exits 0', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t)
  const r = await runCli(home, ['--profile', 'work', 'gateway', 'install', '--port', '19123'], { env: NO_SYSTEMCTL })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^Note: not started: OPENCLAW_SYSTEMCTL=\/nonexistent\/systemctl is not an executable file\. Run:$/m)
  assert.match(r.stdout, /^ {2}systemctl --user daemon-reload$/m)
  assert.match(r.stdout, /^ {2}systemctl --user enable --now openclaw-gateway-work\.service$/m)
  const unit = await readFile(unitFile(home, 'openclaw-gateway-work.service'), 'utf8')
  assert.match(unit, /^Environment=OPENCLAW_PROFILE=work$/m)
  assert.match(unit, / gateway --port 19123$/m)
})

test('gateway install reports a failing systemctl and exits 1', { timeout: 30_000 }, async (t) => {
  const home = await makeHome(t)
  const systemctl = await fakeSystemctl(home, 1)
  const r = await runCli(home, ['gateway', 'install', '--json'], { env: systemctl.env() })
  assert.equal(r.code, 1)
  const report = JSON.parse(r.stdout)
  assert.equal(report.ok, false)
  assert.deepEqual(report.systemctl.ran.map((x: { command: string }) => x.command), ['systemctl --user daemon-reload'])
})

test('gateway stop stops an unsupervised gateway; a second stop finds nothing', { timeout: 60_000 }, async (t) => {
  const home = await makeHome(t)
  const gw = spawnGateway(home, ['--allow-unconfigured', '--port', String(await freePort())])
  await gw.listening()
  const r = await runCli(home, ['gateway', 'stop'], { env: NO_SYSTEMCTL, timeoutMs: 30_000 })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, `Stopped gateway (pid ${gw.pid}).\n`)
  const exit = await gw.waitExit(5_000)
  assert.equal(exit.code, 0, gw.stderr)
  const again = await runCli(home, ['gateway', 'stop'], { env: NO_SYSTEMCTL })
  assert.equal(again.code, 0)
  assert.match(again.stdout, /^Gateway is not running/)
})

test('gateway restart re-launches an unsupervised gateway with the same command line', { timeout: 90_000 }, async (t) => {
  let restarted: number | undefined
  // Registered before makeHome so the new process is gone before its home is removed.
  t.after(async () => { if (restarted !== undefined) await killPid(restarted) })
  const home = await makeHome(t)
  const port = await freePort()
  const gw = spawnGateway(home, ['--allow-unconfigured', '--port', String(port)])
  await gw.listening()
  const r = await runCli(home, ['gateway', 'restart'], { env: NO_SYSTEMCTL, timeoutMs: 60_000 })
  const lock = JSON.parse(await readFile(path.join(home.stateDir, 'gateway.lock'), 'utf8').catch(() => '{}')) as { pid?: number, port?: number }
  if (lock.pid !== undefined && lock.pid !== gw.pid) restarted = lock.pid
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^Restarted gateway \\(pid ${gw.pid} → ${lock.pid}\\); answering at ws://127\\.0\\.0\\.1:${port} `, 'm'))
  assert.equal((await gw.waitExit(5_000)).code, 0)
  assert.equal(lock.port, port)
  assert.ok(restarted !== undefined && pidAlive(restarted))
  const status = await runCli(home, ['gateway', 'status', '--port', String(port), '--require-rpc'], { env: NO_SYSTEMCTL, timeoutMs: 20_000 })
  assert.equal(status.code, 0, status.stdout + status.stderr)
  assert.match(status.stdout, new RegExp(`^Runtime: running \\(pid ${restarted}, lock file\\)$`, 'm'))
})

async function killPid (pid: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM') } catch { return }
  for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
}

function escape (s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }
