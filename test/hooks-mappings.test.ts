// Mapping features beyond templates (contract 4) over real HTTP: transforms
// from hooks.transformsDir (overrides, null ⇒ 204, throwing, hanging, escaping
// the dir), forEach fan-out and the gmail preset, and the loop guard.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startHttpGateway, type HttpGateway, type HttpGatewayOptions } from './support/http-gateway.js'
import { waitFor } from './support/wait.js'
import type { FakeUpstream } from './support/fake-upstream.js'

const HOOK_TOKEN = 'hook-secret-mappings-0123'

type Hook = (path: string, json: unknown, headers?: Record<string, string>) => Promise<Response>

async function setup (t: TestContext, hooks: Record<string, unknown>, opts: Omit<HttpGatewayOptions, 'config'> = {}): Promise<HttpGateway & { hook: Hook, transformsDir: string }> {
  const h = await startHttpGateway(t, { ...opts, config: () => ({ hooks: { enabled: true, token: HOOK_TOKEN, ...hooks } }) })
  const hook: Hook = async (p, json, headers = {}) => await fetch(`${h.origin}${p}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HOOK_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
    signal: AbortSignal.timeout(10_000)
  })
  const transformsDir = path.join(path.dirname(h.gw.configPath), 'hooks', 'transforms')
  await mkdir(transformsDir, { recursive: true })
  return { ...h, hook, transformsDir }
}

const userTexts = (up: FakeUpstream) => up.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) =>
  (r.body.messages as Array<{ role: string, content: string }>).filter((m) => m.role === 'user').map((m) => m.content).join('\n'))

test('a transform reshapes the action; returning null answers 204 and runs nothing', async (t) => {
  const { hook, upstream, transformsDir } = await setup(t, {
    mappings: [{ id: 'shop', match: { path: 'shop' }, messageTemplate: 'raw {{payload.id}}', deliver: false, transform: { module: 'shop.mjs' } }]
  })
  await writeFile(path.join(transformsDir, 'shop.mjs'), `export default ({ payload, headers }) => payload.ignore
    ? null
    : { message: 'Order ' + payload.id + ' via ' + headers['x-shop'] + (headers.authorization ? ' LEAK' : ''), name: 'Shop' }\n`)
  const res = await hook('/hooks/shop', { id: 42 }, { 'x-shop': 'acme' })
  assert.equal(res.status, 200)
  const body = await res.json() as { action: string, mapping: string, runId: string }
  assert.equal(body.action, 'agent')
  assert.equal(body.mapping, 'shop')
  await waitFor('the transformed run', () => userTexts(upstream).length === 1)
  assert.match(userTexts(upstream)[0]!, /Source: Webhook \(Shop\)[\s\S]*Order 42 via acme\n/)
  assert.doesNotMatch(userTexts(upstream)[0]!, /LEAK|raw 42/, 'no credentials reach the transform; its message wins')
  const skipped = await hook('/hooks/shop', { id: 43, ignore: true })
  assert.equal(skipped.status, 204)
  assert.equal(await skipped.text(), '')
  assert.equal(userTexts(upstream).length, 1, 'a skipped delivery runs nothing')
})

test('a transform that throws, hangs, returns junk or lies outside the dir is a 500 with the reason; the gateway keeps serving', async (t) => {
  const { hook, upstream, transformsDir, gw } = await setup(t, {
    mappings: [
      { match: { path: 'throws' }, transform: { module: 'throws.mjs' } },
      { match: { path: 'hangs' }, transform: { module: 'hangs.mjs' } },
      { match: { path: 'junk' }, transform: { module: 'junk.mjs' } },
      { match: { path: 'up' }, transform: { module: '../escape.mjs' } },
      { match: { path: 'link' }, transform: { module: 'link.mjs' } },
      { match: { path: 'missing' }, transform: { module: 'nope.mjs' } },
      { match: { path: 'ok' }, action: 'wake', textTemplate: 'still here', wakeMode: 'next-heartbeat' }
    ]
  }, { hooks: { transformTimeoutMs: 2000 } })
  await writeFile(path.join(transformsDir, 'throws.mjs'), 'export default () => { throw new Error("bad shape") }\n')
  await writeFile(path.join(transformsDir, 'hangs.mjs'), 'export default () => new Promise(() => {})\n')
  await writeFile(path.join(transformsDir, 'junk.mjs'), 'export const transform = () => ({ deliver: "yes" })\n')
  const outside = path.join(path.dirname(transformsDir), 'escape.mjs')
  await writeFile(outside, 'export default () => ({ message: "escaped" })\n')
  await symlink(outside, path.join(transformsDir, 'link.mjs'))
  const expect = async (p: string, error: RegExp) => {
    const res = await hook(p, {})
    assert.equal(res.status, 500, p)
    const body = await res.json() as { ok: boolean, error: string }
    assert.equal(body.ok, false)
    assert.match(body.error, error, p)
  }
  await expect('/hooks/throws', /^hook mapping failed: transform "throws\.mjs" threw: bad shape$/)
  await expect('/hooks/hangs', /^hook mapping failed: transform did not finish within 2000 ms$/)
  await expect('/hooks/junk', /^hook mapping failed: transform "junk\.mjs" returned deliver that is not a boolean$/)
  await expect('/hooks/up', /must stay inside hooks\.transformsDir/)
  await expect('/hooks/link', /must stay inside hooks\.transformsDir/)
  await expect('/hooks/missing', /not found in hooks\.transformsDir/)
  const ok = await hook('/hooks/ok', {})
  assert.equal(ok.status, 200)
  assert.equal(upstream.requests.length, 0, 'no failed mapping reached the model')
  const health = await gw.app.rpc.health.refresh()
  assert.equal(health.hooks?.failures, 6)
})

test('forEach fans out one isolated run per item (the gmail preset); an empty batch is 204', async (t) => {
  const { hook, upstream, gw } = await setup(t, { presets: ['gmail'] })
  const messages = ['m1', 'm2', 'm3'].map((id) => ({ id, from: `${id}@example.com`, subject: `about ${id}`, snippet: 's', body: 'b' }))
  const res = await hook('/hooks/gmail', { messages })
  assert.equal(res.status, 200)
  const body = await res.json() as { action: string, mapping: string, count: number, runIds: string[], dropped: number }
  assert.equal(body.mapping, 'gmail')
  assert.equal(body.count, 3)
  assert.equal(new Set(body.runIds).size, 3)
  assert.equal(body.dropped, 0)
  // Each visible reply is then delivered to the main session (a heartbeat turn): count the hook turns only.
  const mailTurns = () => userTexts(upstream).filter((u) => u.startsWith('SECURITY NOTICE') && u.includes('Source: Webhook (Gmail)'))
  await waitFor('three runs', () => mailTurns().length === 3)
  for (const m of messages) {
    const text = mailTurns().find((u) => u.includes(`New email from ${m.from}`))
    assert.ok(text !== undefined, m.id)
    assert.match(text, new RegExp(`Subject: about ${m.id}\\n`))
  }
  await waitFor('the sessions', async () => (await gw.app.sessions.get('agent:main:hook:gmail:m3')) !== undefined)
  for (const id of ['m1', 'm2']) assert.ok(await gw.app.sessions.get(`agent:main:hook:gmail:${id}`), id)
  const empty = await hook('/hooks/gmail', { messages: [] })
  assert.equal(empty.status, 204)
})

test('the loop guard: a mapping starts at most runBudget.max runs per window, then 429 with Retry-After until the window moves on', async (t) => {
  let clock = Date.parse('2026-06-01T12:00:00Z')
  const { hook, upstream } = await setup(t, {
    mappings: [
      { id: 'loop', match: { path: 'loop' }, messageTemplate: 'again {{payload.n}}', deliver: false },
      { id: 'other', match: { path: 'other' }, messageTemplate: 'other', deliver: false }
    ]
  }, { now: () => clock, hooks: { runBudget: { max: 2, windowMs: 60_000 } } })
  assert.equal((await hook('/hooks/loop', { n: 1 })).status, 200)
  assert.equal((await hook('/hooks/loop', { n: 2 })).status, 200)
  const third = await hook('/hooks/loop', { n: 3 })
  assert.equal(third.status, 429)
  const retry = Number(third.headers.get('retry-after'))
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`)
  assert.match((await third.json() as { error: string }).error, /mapping:loop started too many runs/)
  assert.equal((await hook('/hooks/other', {})).status, 200, 'other mappings have their own budget')
  await waitFor('three runs', () => userTexts(upstream).length === 3)
  assert.ok(!userTexts(upstream).some((u) => u.includes('again 3')), 'the refused delivery never ran')
  const agent = async () => await hook('/hooks/agent', { message: 'direct', deliver: false })
  assert.equal((await agent()).status, 200)
  assert.equal((await agent()).status, 200)
  assert.equal((await agent()).status, 429, '/hooks/agent has a budget too')
  clock += 60_001
  assert.equal((await hook('/hooks/loop', { n: 4 })).status, 200, 'a minute later the mapping runs again')
})
