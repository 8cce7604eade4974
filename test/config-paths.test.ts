// resolvePaths / resolveHome / dailyLogFile (contract 6.1): pure functions of the env passed in.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import path from 'node:path'
import { dailyLogFile, resolveHome, resolvePaths } from '../src/config/paths.js'

test('default profile: ~/.openclaw and its openclaw.json', () => {
  const p = resolvePaths({ env: { HOME: '/h' } })
  assert.deepEqual(p, {
    home: '/h',
    profile: undefined,
    stateDir: '/h/.openclaw',
    configPath: '/h/.openclaw/openclaw.json',
    logDir: path.join(os.tmpdir(), 'openclaw')
  })
})

test('home: OPENCLAW_HOME > HOME > USERPROFILE > os.homedir(); blank values are ignored', () => {
  assert.equal(resolveHome({ OPENCLAW_HOME: '/oc', HOME: '/h', USERPROFILE: '/u' }), '/oc')
  assert.equal(resolveHome({ OPENCLAW_HOME: '  ', HOME: '/h', USERPROFILE: '/u' }), '/h')
  assert.equal(resolveHome({ HOME: '', USERPROFILE: '/u' }), '/u')
  assert.equal(resolveHome({}), os.homedir())
  assert.equal(resolvePaths({ env: { OPENCLAW_HOME: '/oc', HOME: '/h' } }).stateDir, '/oc/.openclaw')
})

test('OPENCLAW_STATE_DIR moves the state dir and the default config with it', () => {
  const p = resolvePaths({ env: { HOME: '/h', OPENCLAW_STATE_DIR: '/srv/state' } })
  assert.equal(p.stateDir, '/srv/state')
  assert.equal(p.configPath, '/srv/state/openclaw.json')
})

test('OPENCLAW_CONFIG_PATH moves only the config file', () => {
  const p = resolvePaths({ env: { HOME: '/h', OPENCLAW_CONFIG_PATH: '/etc/oc/a.json' } })
  assert.equal(p.stateDir, '/h/.openclaw')
  assert.equal(p.configPath, '/etc/oc/a.json')
})

test('~ in OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH expands to the resolved home', () => {
  const p = resolvePaths({ env: { HOME: '/h', OPENCLAW_HOME: '/oc', OPENCLAW_STATE_DIR: '~/s', OPENCLAW_CONFIG_PATH: '~/c/x.json' } })
  assert.equal(p.stateDir, '/oc/s')
  assert.equal(p.configPath, '/oc/c/x.json')
  assert.equal(resolvePaths({ env: { HOME: '/h', OPENCLAW_STATE_DIR: '~' } }).stateDir, '/h')
})

test('relative overrides resolve against the working directory', () => {
  const p = resolvePaths({ env: { HOME: '/h', OPENCLAW_CONFIG_PATH: 'rel/x.json' } })
  assert.equal(p.configPath, path.resolve('rel/x.json'))
})

test('profiles: --profile, OPENCLAW_PROFILE, "default", and --dev', () => {
  const env = { HOME: '/h' }
  assert.equal(resolvePaths({ env, profile: 'Work' }).stateDir, '/h/.openclaw-work')
  assert.equal(resolvePaths({ env, profile: 'Work' }).profile, 'work')
  assert.equal(resolvePaths({ env, profile: 'default' }).stateDir, '/h/.openclaw')
  assert.equal(resolvePaths({ env, profile: 'default' }).profile, undefined)
  assert.equal(resolvePaths({ env: { ...env, OPENCLAW_PROFILE: 'rescue' } }).stateDir, '/h/.openclaw-rescue')
  // The flag beats the environment; --dev is the dev profile and beats --profile.
  assert.equal(resolvePaths({ env: { ...env, OPENCLAW_PROFILE: 'rescue' }, profile: 'a' }).stateDir, '/h/.openclaw-a')
  const dev = resolvePaths({ env, dev: true, profile: 'a' })
  assert.equal(dev.stateDir, '/h/.openclaw-dev')
  assert.equal(dev.configPath, '/h/.openclaw-dev/openclaw.json')
  assert.equal(dev.profile, 'dev')
})

test('OPENCLAW_STATE_DIR beats the profile directory', () => {
  const p = resolvePaths({ env: { HOME: '/h', OPENCLAW_STATE_DIR: '/s' }, dev: true })
  assert.equal(p.stateDir, '/s')
  assert.equal(p.profile, 'dev')
})

test('daily log file: /tmp/openclaw/openclaw[-<profile>]-YYYY-MM-DD.log, local date', () => {
  const day = new Date(2026, 0, 5, 23, 59)
  const logDir = path.join(os.tmpdir(), 'openclaw')
  assert.equal(dailyLogFile(resolvePaths({ env: { HOME: '/h' } }), day), path.join(logDir, 'openclaw-2026-01-05.log'))
  assert.equal(dailyLogFile(resolvePaths({ env: { HOME: '/h' }, dev: true }), day), path.join(logDir, 'openclaw-dev-2026-01-05.log'))
})
