// Stored responses: the Vercel AI SDK's default Responses model over several
// turns (it sends earlier answers as item_reference), the official openai
// SDK's retrieve/delete/input_items, persistence across a restart, the
// configured bounds, and the bad references of issue #18.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai'
import { createOpenAI } from '@ai-sdk/openai'
import { NotFoundError } from 'openai'
import { startHttpGateway } from './support/http-gateway.js'

/** `store` is in the wire object, not in the SDK's Response type. */
const storeOf = (r: object) => (r as { store?: boolean }).store

test('ai SDK: the default (Responses) model holds a multi-turn conversation through item_reference', async (t) => {
  const { baseURL, token, upstream, client } = await startHttpGateway(t)
  const provider = createOpenAI({ baseURL, apiKey: token! })
  const model = provider('openclaw')
  const first = await generateText({ model, prompt: 'hello there' })
  assert.equal(first.text, 'echo: hello there')

  const messages: ModelMessage[] = [{ role: 'user', content: 'hello there' }, ...first.response.messages, { role: 'user', content: 'and again' }]
  const second = await generateText({ model, messages })
  assert.equal(second.text, 'echo: and again')
  // The referenced answer reached the model as the assistant's earlier turn.
  const sent = upstream.lastRequest().body.messages.slice(1).map((m: any) => [m.role, m.content])
  assert.deepEqual(sent, [['user', 'hello there'], ['assistant', 'echo: hello there'], ['user', 'and again']])

  // The second request's input, as stored: the reference resolved to the first response's output item.
  const items = await client.responses.inputItems.list(second.response.id, { order: 'asc' })
  const firstOutput = (await client.responses.retrieve(first.response.id)).output[0]!
  assert.deepEqual(items.data.map((i) => [i.type, i.id]), [['message', items.data[0]!.id], ['message', firstOutput.id], ['message', items.data[2]!.id]])

  // Streamed, a third turn on top of both.
  const third = streamText({ model, messages: [...messages, ...second.response.messages, { role: 'user', content: 'third' }] })
  assert.equal(await third.text, 'echo: third')
})

test('ai SDK: a client tool over two steps (call, then its result with the earlier turn referenced)', async (t) => {
  const { baseURL, token, upstream } = await startHttpGateway(t)
  const model = createOpenAI({ baseURL, apiKey: token! })('openclaw')
  const calls: unknown[] = []
  const getTime = tool({
    description: 'the time',
    inputSchema: jsonSchema<{ tz: string }>({ type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] }),
    execute: async (input) => { calls.push(input); return '12:00' }
  })
  const r = await generateText({ model, tools: { get_time: getTime }, stopWhen: stepCountIs(3), prompt: 'call get_time {"tz":"UTC"}' })
  assert.deepEqual(calls, [{ tz: 'UTC' }])
  assert.equal(r.steps.length, 2)
  assert.match(r.text, /^tool result: .*12:00/)
  const roles = upstream.lastRequest().body.messages.slice(1).map((m: any) => m.role)
  assert.deepEqual(roles, ['user', 'assistant', 'tool'])
})

test('ai SDK: .chat() models talk to /v1/chat/completions', async (t) => {
  const { baseURL, token, upstream } = await startHttpGateway(t)
  const provider = createOpenAI({ baseURL, apiKey: token! })
  const r = await generateText({ model: provider.chat('openclaw'), system: 'Be brief.', prompt: 'chat please' })
  assert.equal(r.text, 'echo: chat please')
  const streamed = streamText({ model: provider.chat('openclaw'), prompt: 'stream please' })
  assert.equal(await streamed.text, 'echo: stream please')
  assert.match(upstream.lastRequest().body.messages[0].content, /./)
})

test('openai SDK: retrieve, input_items (paged both ways), delete; store:false is never stored', async (t) => {
  const { client, fetch } = await startHttpGateway(t)
  const input = ['one', 'two', 'three', 'four', 'five'].map((text) => ({ role: 'user' as const, content: text }))
  const created = await client.responses.create({ model: 'openclaw', input, metadata: { k: 'v' } })
  assert.equal(storeOf(created), true)
  const got = await client.responses.retrieve(created.id)
  assert.deepEqual(got, created)

  const texts = (items: any[]) => items.map((i) => i.content[0].text)
  const page = await client.responses.inputItems.list(created.id, { limit: 2 })
  assert.deepEqual(texts(page.data), ['five', 'four'])
  assert.equal(page.has_more, true)
  const all: any[] = []
  for await (const item of client.responses.inputItems.list(created.id, { limit: 2, order: 'asc' })) all.push(item)
  assert.deepEqual(texts(all), ['one', 'two', 'three', 'four', 'five'])
  assert.equal(new Set(all.map((i) => i.id)).size, 5)
  const raw = await (await fetch(`/v1/responses/${created.id}/input_items?order=asc&after=${all[3].id}`)).json() as any
  assert.deepEqual([raw.first_id, raw.last_id, raw.has_more, texts(raw.data)], [all[4].id, all[4].id, false, ['five']])

  const deleted = await client.responses.delete(created.id) as unknown
  assert.deepEqual(deleted, { id: created.id, object: 'response', deleted: true })
  await assert.rejects(client.responses.retrieve(created.id), NotFoundError)
  const again = await fetch(`/v1/responses/${created.id}`, { method: 'DELETE' })
  assert.equal(again.status, 404)
  assert.deepEqual(((await again.json()) as any).error.code, 'response_not_found')

  const ephemeral = await client.responses.create({ model: 'openclaw', input: 'not kept', store: false })
  assert.equal(storeOf(ephemeral), false)
  await assert.rejects(client.responses.retrieve(ephemeral.id), NotFoundError)
  const streamed = await client.responses.stream({ model: 'openclaw', input: 'streamed and kept' }).finalResponse()
  assert.equal((await client.responses.retrieve(streamed.id)).output_text, 'echo: streamed and kept')
})

/** Everything the store has on disk, as text. */
async function onDisk (stateDir: string): Promise<string> {
  const dir = path.join(stateDir, 'responses')
  const texts = await Promise.all((await readdir(dir)).map(async (f) => await readFile(path.join(dir, f), 'utf8')))
  return texts.join('')
}

async function tempHome (t: TestContext): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ocgw-resp-'))
  t.after(() => rm(home, { recursive: true, force: true }))
  return home
}

test('stored responses survive a restart: retrieve, previous_response_id (stateless and named sessions), item_reference, deletions', async (t) => {
  const home = await tempHome(t)
  const before = await startHttpGateway(t, { home })
  const first = await before.client.responses.create({ model: 'openclaw', input: 'remember me' })
  const named = await before.client.responses.create({ model: 'openclaw', input: 'I am bob', user: 'bob' })
  const deleted = await before.client.responses.create({ model: 'openclaw', input: 'forget me' })
  await before.client.responses.delete(deleted.id)
  assert.equal((await before.gw.app.sessions.list()).total, 1, 'only the named session is written; stateless responses live in the store')
  await before.gw.close()
  assert.ok((await onDisk(before.gw.stateDir)).includes(first.id))

  const after = await startHttpGateway(t, { home })
  assert.equal((await after.client.responses.retrieve(first.id)).output_text, 'echo: remember me')
  await assert.rejects(after.client.responses.retrieve(deleted.id), NotFoundError)
  const bob = await after.client.responses.create({ model: 'openclaw', previous_response_id: named.id, input: 'who am I?' })
  assert.equal(bob.output_text, 'echo: who am I?')
  assert.deepEqual(after.upstream.lastRequest().body.messages.slice(1).map((m: any) => m.content), ['I am bob', 'echo: I am bob', 'who am I?'])
  const next = await after.client.responses.create({ model: 'openclaw', previous_response_id: first.id, input: 'still there?' })
  assert.equal(next.output_text, 'echo: still there?')
  const sent = after.upstream.lastRequest().body.messages.slice(1).map((m: any) => m.content)
  assert.deepEqual(sent, ['remember me', 'echo: remember me', 'still there?'])
  const ref = await after.client.responses.create({ model: 'openclaw', input: [{ type: 'item_reference', id: first.output[0]!.id! }, { role: 'user', content: 'quote it' }] })
  assert.equal(ref.output_text, 'echo: quote it')
  assert.deepEqual(after.upstream.lastRequest().body.messages.slice(1).map((m: any) => m.content), ['echo: remember me', 'quote it'])
})

test('bounds: past maxResponses the oldest is deleted, also after a restart; maxResponses 0 reports store:false', async (t) => {
  const home = await tempHome(t)
  const config = () => ({ gateway: { http: { endpoints: { responses: { store: { maxResponses: 2 } } } } } })
  const first = await startHttpGateway(t, { home, config })
  const ids: string[] = []
  for (const text of ['a', 'b', 'c']) ids.push((await first.client.responses.create({ model: 'openclaw', input: text })).id)
  await assert.rejects(first.client.responses.retrieve(ids[0]!), NotFoundError)
  assert.equal((await first.client.responses.retrieve(ids[2]!)).output_text, 'echo: c')
  await first.gw.close()

  const { client, gw, setConfig } = await startHttpGateway(t, { home, config: () => ({}) })
  await assert.rejects(client.responses.retrieve(ids[0]!), NotFoundError, 'an eviction is remembered even under a larger limit')
  assert.equal((await client.responses.retrieve(ids[1]!)).output_text, 'echo: b')

  const base = gw.app.configStore.config
  setConfig({ ...base, gateway: { ...base.gateway, http: { endpoints: { responses: { store: { maxResponses: 0 } } } } } })
  const none = await client.responses.create({ model: 'openclaw', input: 'x' })
  assert.equal(storeOf(none), false)
  await assert.rejects(client.responses.retrieve(none.id), NotFoundError)
})

test('bounds: a response older than maxAgeSeconds is gone', async (t) => {
  let now = Date.parse('2026-12-01T00:00:00Z')
  const { client } = await startHttpGateway(t, { now: () => now, config: () => ({ gateway: { http: { endpoints: { responses: { store: { maxAgeSeconds: 60 } } } } } }) })
  const r = await client.responses.create({ model: 'openclaw', input: 'short-lived' })
  now += 30_000
  assert.equal((await client.responses.retrieve(r.id)).id, r.id)
  now += 31_000
  await assert.rejects(client.responses.retrieve(r.id), NotFoundError)
})

test('bad references and unsupported calls are 4xx in the OpenAI shape, never 500', async (t) => {
  const { client, fetch } = await startHttpGateway(t)
  const kept = await client.responses.create({ model: 'openclaw', input: 'kept' })
  const gone = await client.responses.create({ model: 'openclaw', input: 'gone' })
  await client.responses.delete(gone.id)
  const foreign = 'msg_0123456789abcdef0123456789abcdefo0'
  const cases: Array<[unknown, number, RegExp, string | null]> = [
    [{ input: [{ type: 'item_reference', id: 'msg_abc' }] }, 400, /^Item with id 'msg_abc' not found\.$/, 'input[0].id'],
    [{ input: [{ type: 'item_reference', id: foreign }] }, 400, /not found/, 'input[0].id'],
    [{ input: [{ type: 'item_reference', id: gone.output[0]!.id }] }, 400, /not found/, 'input[0].id'],
    [{ input: [{ type: 'item_reference' }] }, 400, /Missing required parameter: 'input\[0\]\.id'/, 'input[0].id'],
    [{ input: 'x', previous_response_id: gone.id }, 400, /^Previous response with id '.*' not found\.$/, 'previous_response_id'],
    [{ input: 'x', background: true }, 400, /not supported/, 'background'],
    [{ input: [{ type: 'item_reference', id: 'x' }], pad: 'p'.repeat(10 * 1024 * 1024) }, 400, /not found/, 'input[0].id'],
    [{ input: 'x'.repeat(21 * 1024 * 1024) }, 413, /Payload too large/, null]
  ]
  for (const [body, status, message, param] of cases) {
    const res = await fetch('/v1/responses', { json: { model: 'openclaw', ...(body as object) } })
    const label = JSON.stringify(body).slice(0, 80)
    assert.equal(res.status, status, label)
    const err = ((await res.json()) as any).error
    assert.match(err.message, message, label)
    assert.equal(err.param, param, label)
  }
  const cancel = await fetch(`/v1/responses/${kept.id}/cancel`, { method: 'POST' })
  assert.equal(cancel.status, 400)
  assert.equal(((await cancel.json()) as any).error.code, 'unsupported_background')
  assert.equal((await fetch(`/v1/responses/${gone.id}/cancel`, { method: 'POST' })).status, 404)
  const after = await fetch(`/v1/responses/${kept.id}/input_items?after=nope`)
  assert.equal(after.status, 400)
  const limit = await fetch(`/v1/responses/${kept.id}/input_items?limit=0`)
  assert.equal(limit.status, 400)
  assert.equal(((await limit.json()) as any).error.param, 'limit')
  assert.equal((await fetch('/v1/responses/resp_nope')).status, 404)
})
