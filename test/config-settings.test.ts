// resolveListen / resolveAuth: the runbook's precedence, without binding anything.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { GatewayConfig } from '../schemas/config.js'
import type { SecretsSnapshot } from '../src/config/secrets.js'
import { DEFAULT_PORT, DEV_PORT, resolveAuth, resolveListen } from '../src/config/settings.js'
import { StartupError } from '../src/errors/index.js'

const withPort = (port: number): GatewayConfig => ({ gateway: { mode: 'local', port } })
const noSecrets: SecretsSnapshot = { gatewayToken: undefined, gatewayPassword: undefined, providerKeys: new Map(), values: [] }

function startupError (code: string, message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof StartupError, `expected a StartupError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.equal(err.exitCode, 78)
    if (typeof message === 'string') assert.equal(err.message, message)
    else assert.match(err.message, message)
    return true
  }
}

test('port: --port → OPENCLAW_GATEWAY_PORT → gateway.port → 18789', () => {
  const env = { OPENCLAW_GATEWAY_PORT: '20002' }
  assert.equal(resolveListen(withPort(20003), { port: 20001 }, env, false).port, 20001)
  assert.equal(resolveListen(withPort(20003), {}, env, false).port, 20002)
  assert.equal(resolveListen(withPort(20003), {}, {}, false).port, 20003)
  assert.equal(resolveListen({}, {}, {}, false).port, DEFAULT_PORT)
  assert.equal(DEFAULT_PORT, 18789)
  // A blank variable counts as unset.
  assert.equal(resolveListen(withPort(20003), {}, { OPENCLAW_GATEWAY_PORT: ' ' }, false).port, 20003)
})

test('port with --dev: 19001 unless OPENCLAW_GATEWAY_PORT (or --port) is set', () => {
  assert.equal(DEV_PORT, 19001)
  assert.equal(resolveListen({}, {}, {}, true).port, 19001)
  assert.equal(resolveListen(withPort(20003), {}, {}, true).port, 19001)
  assert.equal(resolveListen(withPort(20003), {}, { OPENCLAW_GATEWAY_PORT: '20002' }, true).port, 20002)
  assert.equal(resolveListen({}, { port: 20001 }, { OPENCLAW_GATEWAY_PORT: '20002' }, true).port, 20001)
})

test('port out of range or not an integer: named by its source, exit 78', () => {
  for (const bad of [0, -1, 65536, 1.5, Number.NaN]) {
    assert.throws(() => resolveListen({}, { port: bad }, {}, false), startupError('PORT_INVALID', '--port: port must be an integer from 1 to 65535'))
  }
  for (const bad of ['0', '65536', 'abc', '80.5', '-3']) {
    assert.throws(() => resolveListen({}, {}, { OPENCLAW_GATEWAY_PORT: bad }, false),
      startupError('PORT_INVALID', 'OPENCLAW_GATEWAY_PORT: port must be an integer from 1 to 65535'))
  }
})

test('bind: CLI → gateway.bind → loopback', () => {
  assert.deepEqual(resolveListen({}, {}, {}, false), { port: 18789, bind: 'loopback', host: '127.0.0.1' })
  assert.equal(resolveListen({ gateway: { bind: 'lan' } }, {}, {}, false).host, '0.0.0.0')
  assert.equal(resolveListen({ gateway: { bind: 'lan' } }, { bind: 'loopback' }, {}, false).host, '127.0.0.1')
  assert.equal(resolveListen({}, { bind: 'lan' }, {}, false).host, '0.0.0.0')
  const custom = resolveListen({ gateway: { bind: 'custom', customBindHost: '127.0.0.2' } }, {}, {}, false)
  assert.deepEqual(custom, { port: 18789, bind: 'custom', host: '127.0.0.2' })
})

test('bind: custom needs an IP address; unsupported modes are refused', () => {
  assert.throws(() => resolveListen({ gateway: { bind: 'custom' } }, {}, {}, false), startupError('BIND_INVALID', /requires gateway\.customBindHost/))
  assert.throws(() => resolveListen({ gateway: { bind: 'custom', customBindHost: 'not-an-ip' } }, {}, {}, false),
    startupError('BIND_INVALID', 'gateway.customBindHost: "not-an-ip" is not an IP address'))
  assert.throws(() => resolveListen({ gateway: { bind: 'tailnet' } }, {}, {}, false), startupError('BIND_INVALID', /"tailnet" is not supported/))
})

test('auth: token from --token → config → OPENCLAW_GATEWAY_TOKEN; mode token by default', () => {
  const cfg = { gateway: { auth: { token: 'from-config' } } }
  const secrets = { ...noSecrets, gatewayToken: 'from-config' }
  const env = { OPENCLAW_GATEWAY_TOKEN: 'from-env' }
  assert.equal(resolveAuth(cfg, secrets, { token: 'from-cli' }, env).token, 'from-cli')
  assert.equal(resolveAuth(cfg, secrets, {}, env).token, 'from-config')
  assert.equal(resolveAuth({}, noSecrets, {}, env).token, 'from-env')
  const none = resolveAuth({}, noSecrets, {}, {})
  assert.equal(none.mode, 'token')
  assert.equal(none.token, undefined)
  assert.equal(none.generated, false)
})

test('auth: a lone password selects password mode; both without a mode is ambiguous', () => {
  assert.equal(resolveAuth({}, noSecrets, {}, { OPENCLAW_GATEWAY_PASSWORD: 'pw' }).mode, 'password')
  assert.throws(() => resolveAuth({}, noSecrets, { token: 't' }, { OPENCLAW_GATEWAY_PASSWORD: 'pw' }), startupError('AUTH_MODE_AMBIGUOUS', /set gateway\.auth\.mode/))
  const explicit = resolveAuth({ gateway: { auth: { mode: 'token' } } }, noSecrets, { token: 't' }, { OPENCLAW_GATEWAY_PASSWORD: 'pw' })
  assert.equal(explicit.mode, 'token')
  assert.equal(resolveAuth({}, noSecrets, { auth: 'none' }, {}).mode, 'none')
})

test('auth: password mode without a password, and unknown modes, are refused', () => {
  assert.throws(() => resolveAuth({ gateway: { auth: { mode: 'password' } } }, noSecrets, {}, {}), startupError('AUTH_PASSWORD_MISSING', /no password is set/))
  assert.throws(() => resolveAuth({}, noSecrets, { auth: 'trusted-proxy' }, {}), startupError('AUTH_MODE_INVALID', /"trusted-proxy" is not supported/))
})

test('auth: rate-limit defaults (10 / 60 s / 300 s / loopback exempt) and overrides', () => {
  assert.deepEqual(resolveAuth({}, noSecrets, {}, {}).rateLimit, { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true })
  const cfg = { gateway: { auth: { rateLimit: { maxAttempts: 3, exemptLoopback: false } } } }
  assert.deepEqual(resolveAuth(cfg, noSecrets, {}, {}).rateLimit, { maxAttempts: 3, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false })
})
