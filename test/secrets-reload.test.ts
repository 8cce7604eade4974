// Secret rotation through the `secrets.reload` RPC on a gateway started the way
// `openclaw gateway` starts it (startGateway, in-process): for env, file and exec
// refs on every secret field, the new value takes effect and the old one stops
// working; a failed resolution answers UNAVAILABLE and keeps the last good values.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startGateway } from '../src/server.js'
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js'
import { freePort, request } from './support/spawn-gateway.js'
import { connectOk, type ConnectOptions, type Frame } from './support/ws-client.js'

type Field = 'token' | 'password' | 'apiKey'
type Values = Record<Field, string>

/** Where a secret lives, and how an operator rotates (or breaks) it there. */
interface Source {
  providers: Record<string, unknown>
  ref: (field: Field) => unknown
  rotate: (values: Values) => Promise<void>
  /** Makes resolution fail. */
  break: () => Promise<void>
}

type SourceFactory = (dir: string, env: Record<string, string>) => Promise<Source>

const sources: Record<'env' | 'file' | 'exec', SourceFactory> = {
  env: async (_dir, env) => {
    const names: Record<Field, string> = { token: 'GW_TOKEN', password: 'GW_PASSWORD', apiKey: 'FAKE_API_KEY' }
    return {
      providers: { default: { source: 'env' } },
      ref: (field) => ({ source: 'env', provider: 'default', id: names[field] }),
      // The env object the gateway was started with: what a restart-free rotation of the service env would be.
      rotate: async (values) => { for (const f of Object.keys(names) as Field[]) env[names[f]] = values[f] },
      break: async () => { for (const name of Object.values(names)) Reflect.deleteProperty(env, name) }
    }
  },
  file: async (dir) => {
    const file = path.join(dir, 'secrets.json')
    return {
      providers: { vault: { source: 'file', path: file } },
      ref: (field) => ({ source: 'file', provider: 'vault', id: `/gateway/${field}` }),
      rotate: async (values) => {
        await writeFile(file, JSON.stringify({ gateway: values }), { mode: 0o600 })
        await chmod(file, 0o600)
      },
      break: async () => { await chmod(file, 0o644) }
    }
  },
  exec: async (dir) => {
    // The command answers from a file the test rewrites: a stand-in for a vault whose secret rotated.
    const store = path.join(dir, 'vault.json')
    const script = path.join(dir, 'resolver.js')
    await writeFile(script, `
      const { readFileSync } = require('node:fs')
      let input = ''
      process.stdin.on('data', (d) => { input += d }).on('end', () => {
        const { ids } = JSON.parse(input)
        const all = JSON.parse(readFileSync(${JSON.stringify(store)}, 'utf8'))
        const values = Object.fromEntries(ids.filter((id) => id in all).map((id) => [id, all[id]]))
        process.stdout.write(JSON.stringify({ protocolVersion: 1, values }))
      })`)
    return {
      providers: { cmd: { source: 'exec', command: process.execPath, args: [script] } },
      ref: (field) => ({ source: 'exec', provider: 'cmd', id: `gateway/${field}` }),
      rotate: async (values) => { await writeFile(store, JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [`gateway/${k}`, v])))) },
      break: async () => { await writeFile(store, '{}') }
    }
  }
}

interface Running { port: number, upstream: FakeUpstream, source: Source }

async function startWith (t: TestContext, kind: keyof typeof sources, auth: 'token' | 'password', first: Values): Promise<Running> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-rotate-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const env: Record<string, string> = { HOME: dir, OPENCLAW_STATE_DIR: dir, PATH: process.env.PATH ?? '/usr/bin:/bin' }
  const source = await sources[kind](dir, env)
  await source.rotate(first)
  const upstream = await startFakeUpstream()
  t.after(() => upstream.close())
  await writeFile(path.join(dir, 'openclaw.json'), JSON.stringify({
    gateway: { mode: 'local', auth: { mode: auth, [auth]: source.ref(auth) }, reload: { mode: 'off' } },
    secrets: { providers: source.providers },
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', apiKey: source.ref('apiKey'), models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo' } },
    logging: { file: path.join(dir, 'gateway.log') }
  }))
  const port = await freePort()
  const running = await startGateway({ env, version: '0.0.0-test', stdoutIsTTY: false, cli: { port } })
  t.after(() => running.close())
  return { port, upstream, source }
}

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } })

/** The key the gateway sends upstream for a chat completion. */
async function upstreamKey (r: Running, secret: string): Promise<string | undefined> {
  const res = await request(r.port, '/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] })
  })
  assert.equal(res.status, 200, await res.clone().text())
  return r.upstream.lastRequest().headers.authorization
}

/**
 * Calls secrets.reload as an admin. `rotatesOwnSecret`: the secret this socket used changes, so
 * the gateway answers and then closes the socket (4001), in that order.
 */
async function reloadSecrets (r: Running, auth: ConnectOptions, rotatesOwnSecret = false): Promise<Frame> {
  const { client } = await connectOk(`ws://127.0.0.1:${r.port}`, { ...auth, scopes: ['operator.admin'] })
  try {
    const res = await client.request('secrets.reload', {})
    if (rotatesOwnSecret) assert.deepEqual(await client.closed, { code: 4001, reason: 'gateway auth changed' })
    return res
  } finally {
    client.close()
  }
}

for (const kind of ['env', 'file', 'exec'] as const) {
  test(`${kind} refs: gateway.auth.token and models.providers.<id>.apiKey rotate through secrets.reload`, { timeout: 60_000 }, async (t) => {
    const one: Values = { token: `tok-one-${kind}-0123456789`, password: 'unused-pw-1', apiKey: `sk-one-${kind}-0123456789` }
    const two: Values = { token: `tok-two-${kind}-0123456789`, password: 'unused-pw-2', apiKey: `sk-two-${kind}-0123456789` }
    const r = await startWith(t, kind, 'token', one)
    assert.equal((await request(r.port, '/v1/models', bearer(one.token))).status, 200)
    assert.equal(await upstreamKey(r, one.token), `Bearer ${one.apiKey}`)

    await r.source.rotate(two)
    assert.equal((await request(r.port, '/v1/models', bearer(one.token))).status, 200, 'nothing changes before the reload')
    assert.deepEqual((await reloadSecrets(r, { token: one.token }, true)).payload, { ok: true, warningCount: 0 })
    assert.equal((await request(r.port, '/v1/models', bearer(two.token))).status, 200, 'the new token is accepted')
    assert.equal((await request(r.port, '/v1/models', bearer(one.token))).status, 401, 'the old token is rejected')
    assert.equal(await upstreamKey(r, two.token), `Bearer ${two.apiKey}`, 'the new key goes upstream')

    await r.source.break()
    assertFailed(await reloadSecrets(r, { token: two.token }), BROKEN[kind]('gateway.auth.token'))
    assert.equal((await request(r.port, '/v1/models', bearer(two.token))).status, 200, 'the last good token stays')
    assert.equal(await upstreamKey(r, two.token), `Bearer ${two.apiKey}`, 'the last good key stays')
  })

  test(`${kind} refs: gateway.auth.password rotates through secrets.reload`, { timeout: 60_000 }, async (t) => {
    const one: Values = { token: 'unused-token-1', password: `pw-one-${kind}-0123456789`, apiKey: 'sk-unused-1' }
    const two: Values = { token: 'unused-token-2', password: `pw-two-${kind}-0123456789`, apiKey: 'sk-unused-2' }
    const r = await startWith(t, kind, 'password', one)
    assert.equal((await request(r.port, '/v1/models', bearer(one.password))).status, 200)
    await r.source.rotate(two)
    assert.deepEqual((await reloadSecrets(r, { password: one.password }, true)).payload, { ok: true, warningCount: 0 })
    assert.equal((await request(r.port, '/v1/models', bearer(two.password))).status, 200, 'the new password is accepted')
    assert.equal((await request(r.port, '/v1/models', bearer(one.password))).status, 401, 'the old password is rejected')
    await r.source.break()
    assertFailed(await reloadSecrets(r, { password: two.password }), BROKEN[kind]('gateway.auth.password'))
    assert.equal((await request(r.port, '/v1/models', bearer(two.password))).status, 200, 'the last good password stays')
  })
}

/** The reason (in the error details) each broken source gives for the first field resolved, `at`. */
const BROKEN: Record<keyof typeof sources, (at: string) => RegExp> = {
  env: (at) => new RegExp(`^${at}: environment variable GW_(TOKEN|PASSWORD) is not set$`),
  file: (at) => new RegExp(`^${at}: secret file \\S+/secrets\\.json has mode 0644; it must not be accessible by group or others`),
  exec: (at) => new RegExp(`^${at}: secret command \\S+ \\(secrets\\.providers\\.cmd\\) returned no value for "gateway/(token|password)"$`)
}

function assertFailed (res: Frame, reason: RegExp): void {
  assert.equal(res.ok, false, `expected an error, got ${JSON.stringify(res)}`)
  const error = res.error as { code: string, message: string, details?: { reason?: string } }
  assert.equal(error.code, 'UNAVAILABLE')
  assert.equal(error.message, 'secrets.reload failed')
  assert.match(error.details?.reason ?? '', reason)
}
