// The systemd unit text: contract 7.3 lines, names per profile, and a parse
// that reads back exactly what render wrote (quotes, spaces, % and $).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sameDefinition } from '../src/service/gateway-service.js'
import { parseUnit, quoteArg, renderUnit, unitName, unitPath } from '../src/service/systemd-unit.js'

const spec = {
  node: '/usr/bin/node',
  entry: '/opt/openclaw/dist/openclaw.mjs',
  port: 18789,
  profile: undefined,
  environment: [['OPENCLAW_STATE_DIR', '/srv/state']] as Array<[string, string]>,
  version: '0.1.0'
}

test('unit names and paths follow the profile', () => {
  assert.equal(unitName(undefined), 'openclaw-gateway.service')
  assert.equal(unitName('work'), 'openclaw-gateway-work.service')
  assert.equal(unitPath('/home/me', 'dev'), '/home/me/.config/systemd/user/openclaw-gateway-dev.service')
})

test('the rendered unit carries every contract 7.3 directive', () => {
  const text = renderUnit(spec)
  for (const line of [
    '[Unit]', 'Description=OpenClaw Gateway', 'After=network-online.target', 'Wants=network-online.target',
    'StartLimitBurst=10', 'StartLimitIntervalSec=300', '[Service]',
    'ExecStart=/usr/bin/node /opt/openclaw/dist/openclaw.mjs gateway --port 18789',
    'Restart=always', 'RestartSec=5', 'RestartPreventExitStatus=78', 'TimeoutStopSec=330', 'TimeoutStartSec=30',
    'SuccessExitStatus=0 143', 'OOMPolicy=continue', 'KillMode=mixed', 'Environment=OPENCLAW_STATE_DIR=/srv/state',
    '[Install]', 'WantedBy=default.target'
  ]) assert.ok(text.split('\n').includes(line), `missing line: ${line}\n${text}`)
})

test('parse reads back the command, port and environment, even with awkward paths', () => {
  const awkward = { ...spec, node: '/opt/my node/bin/node', port: 19001, environment: [['OPENCLAW_CONFIG_PATH', '/tmp/a "b"/100%/$HOME.json']] as Array<[string, string]> }
  const parsed = parseUnit(renderUnit(awkward))
  assert.deepEqual(parsed.execStart, ['/opt/my node/bin/node', spec.entry, 'gateway', '--port', '19001'])
  assert.equal(parsed.port, 19001)
  assert.deepEqual(parsed.environment, { OPENCLAW_CONFIG_PATH: '/tmp/a "b"/100%/$HOME.json' })
  assert.equal(quoteArg('100%'), '100%%')
  assert.equal(quoteArg('$HOME'), '$$HOME')
})

test('definitions compare without comments', () => {
  const a = renderUnit(spec)
  assert.equal(sameDefinition(a, renderUnit({ ...spec, version: '9.9.9' })), true)
  assert.equal(sameDefinition(a, renderUnit({ ...spec, port: 1 })), false)
})
