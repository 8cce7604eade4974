// src/http/lazy-compilers.ts: route schemas compile on the route's first request, with
// Fastify's own compilers, so validation and serialization behave as with the defaults.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { lazyCompilers } from '../src/http/lazy-compilers.js'

function build () {
  const app = Fastify({ schemaController: { compilersFactory: lazyCompilers() } })
  app.post('/items', {
    schema: {
      headers: { type: 'object', properties: { 'x-tenant': { type: 'string', minLength: 2 } }, required: ['x-tenant'] },
      body: { type: 'object', properties: { n: { type: 'integer', default: 1 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } }
    }
  }, async (request) => ({ ...(request.body as object), secret: 'not serialized' }))
  return app
}

test('bodies and headers are validated and responses serialized as with the default compilers', async (t) => {
  const app = build()
  t.after(() => app.close())
  const ok = await app.inject({ method: 'POST', url: '/items', headers: { 'x-tenant': 'acme' }, payload: {} })
  assert.equal(ok.statusCode, 200)
  assert.deepEqual(ok.json(), { n: 1 }, 'defaults applied, unknown response fields dropped')
  const bad = await app.inject({ method: 'POST', url: '/items', headers: { 'x-tenant': 'acme' }, payload: { n: 'two' } })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.json().message, /body\/n must be integer/)
  const header = await app.inject({ method: 'POST', url: '/items', headers: { 'X-Tenant': 'a' }, payload: {} })
  assert.equal(header.statusCode, 400)
  assert.match(header.json().message, /headers\/x-tenant must NOT have fewer than 2 characters/)
})

test('nothing compiles at ready(): a broken schema fails its route on the first request', async (t) => {
  const app = Fastify({ schemaController: { compilersFactory: lazyCompilers() } })
  t.after(() => app.close())
  app.post('/broken', { schema: { body: { type: 'no-such-type' } } }, async () => ({}))
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/broken', payload: {} })
  assert.equal(res.statusCode, 500)
})

test('header schemas must name headers in lowercase (Fastify does not lowercase them for custom compilers)', async () => {
  const app = Fastify({ schemaController: { compilersFactory: lazyCompilers() } })
  app.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Tenant': { type: 'string' } } } } }, async () => ({}))
  await assert.rejects(async () => { await app.ready() }, /header schema names must be lowercase \(X-Tenant\)/)
})

test('warm() compiles every pending route schema ahead of the first request', async (t) => {
  const compilers = lazyCompilers()
  const app = Fastify({ schemaController: { compilersFactory: compilers } })
  t.after(() => app.close())
  const schema = {
    body: { type: 'object', properties: { n: { type: 'integer' } } },
    response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } }
  }
  app.post('/a', { schema }, async (request) => request.body as object)
  app.post('/b', { schema }, async (request) => request.body as object)
  await app.ready()
  // A request compiles its own route's parts; warm-up compiles the rest, once.
  assert.deepEqual((await app.inject({ method: 'POST', url: '/a', payload: { n: 2 } })).json(), { n: 2 })
  assert.equal(await compilers.warm(), 2, 'the body validator and 200 serializer of /b')
  assert.equal(await compilers.warm(), 0)
  assert.equal((await app.inject({ method: 'POST', url: '/b', payload: { n: 'x' } })).statusCode, 400)
})

test('warm([kinds]) compiles only those kinds: validators can wait for their route\'s first request', async (t) => {
  const compilers = lazyCompilers()
  const app = Fastify({ schemaController: { compilersFactory: compilers } })
  t.after(() => app.close())
  app.post('/c', {
    schema: {
      body: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
      response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } }
    }
  }, async (request) => ({ ...(request.body as object), extra: true }))
  await app.ready()
  assert.equal(await compilers.warm(['serializer']), 1, 'the 200 serializer of /c')
  assert.equal(await compilers.warm(['serializer']), 0)
  // The validator still compiles (and validates) on the first request, which warm() then skips.
  assert.equal((await app.inject({ method: 'POST', url: '/c', payload: {} })).statusCode, 400)
  assert.deepEqual((await app.inject({ method: 'POST', url: '/c', payload: { n: 1 } })).json(), { n: 1 })
  assert.equal(await compilers.warm(), 0)
})
