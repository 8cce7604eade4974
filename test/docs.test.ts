// plugins/docs.ts: the OpenAPI document is served behind auth, documents
// exactly the client-facing routes, and is valid OpenAPI 3.1 (by the official
// schema, through @seriousme/openapi-schema-validator, and by the stricter
// structural rules below); the Swagger UI page is served behind the same auth.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Validator } from '@seriousme/openapi-schema-validator'
import { startHttpGateway } from './support/http-gateway.js'

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])
const PARAM_IN = new Set(['query', 'header', 'path', 'cookie'])
// JSON Schema 2020-12 / OAS 3.1 keywords a route schema may use; anything else is a leak (e.g. TypeBox internals).
const SCHEMA_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'not',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'patternProperties', 'description', 'title', 'examples', 'default', 'format', '$ref', 'nullable', 'discriminator'
])

/** Collects every violation of the OpenAPI 3.1 structural rules we rely on. */
function validateOpenApi (doc: any): string[] {
  const problems: string[] = []
  const check = (ok: boolean, what: string) => { if (!ok) problems.push(what) }
  check(typeof doc.openapi === 'string' && /^3\.1\.\d+$/.test(doc.openapi), 'openapi must be 3.1.x')
  check(typeof doc.info?.title === 'string' && typeof doc.info?.version === 'string', 'info.title and info.version are required strings')
  check(typeof doc.paths === 'object' && doc.paths !== null, 'paths must be an object')
  const schemes = doc.components?.securitySchemes ?? {}
  for (const requirement of doc.security ?? []) for (const name of Object.keys(requirement)) check(schemes[name] !== undefined, `security names undefined scheme ${name}`)
  const tags = new Set((doc.tags ?? []).map((t: any) => t.name))
  const operationIds = new Set<string>()
  const walkSchema = (s: any, at: string): void => {
    if (s === true || s === false) return
    if (typeof s !== 'object' || s === null) { problems.push(`${at}: schema must be an object`); return }
    for (const key of Object.keys(s)) check(SCHEMA_KEYWORDS.has(key), `${at}: unknown schema keyword ${key}`)
    if (s.$ref !== undefined) check(typeof s.$ref === 'string' && resolve(doc, s.$ref) !== undefined, `${at}: unresolved $ref ${s.$ref}`)
    for (const [k, v] of Object.entries(s.properties ?? {})) walkSchema(v, `${at}.properties.${k}`)
    for (const [k, v] of Object.entries(s.patternProperties ?? {})) walkSchema(v, `${at}.patternProperties.${k}`)
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const [i, v] of (s[key] ?? []).entries()) walkSchema(v, `${at}.${key}[${i}]`)
    if (s.items !== undefined) walkSchema(s.items, `${at}.items`)
    if (typeof s.additionalProperties === 'object') walkSchema(s.additionalProperties, `${at}.additionalProperties`)
    if (Array.isArray(s.required)) for (const r of s.required) check(s.properties?.[r] !== undefined, `${at}: required ${r} is not a property`)
  }
  const walkContent = (content: any, at: string) => {
    check(typeof content === 'object' && content !== null && Object.keys(content).length > 0, `${at}: content must be a non-empty map`)
    for (const [type, media] of Object.entries<any>(content ?? {})) {
      check(/^[\w.+-]+\/[\w.+-]+$/.test(type), `${at}: bad media type ${type}`)
      if (media.schema !== undefined) walkSchema(media.schema, `${at}.${type}.schema`)
    }
  }
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    check(path.startsWith('/'), `path ${path} must start with /`)
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const [method, op] of Object.entries<any>(item)) {
      const at = `${method.toUpperCase()} ${path}`
      if (!METHODS.has(method)) { check(method === 'parameters' || method === 'summary' || method === 'description', `${at}: unknown path item key`); continue }
      if (op.operationId !== undefined) { check(!operationIds.has(op.operationId), `${at}: duplicate operationId`); operationIds.add(op.operationId) }
      for (const tag of op.tags ?? []) check(tags.has(tag), `${at}: tag ${tag} is not declared`)
      const params: any[] = op.parameters ?? []
      for (const p of params) {
        check(typeof p.name === 'string' && PARAM_IN.has(p.in), `${at}: parameter needs name and a valid in`)
        check((p.schema !== undefined) !== (p.content !== undefined), `${at}: parameter ${p.name} needs exactly one of schema/content`)
        if (p.in === 'path') check(p.required === true && templated.includes(p.name), `${at}: path parameter ${p.name} must be required and templated`)
        if (p.schema !== undefined) walkSchema(p.schema, `${at} param ${p.name}`)
      }
      const keys = params.map((p) => `${p.in}:${p.name}`)
      check(new Set(keys).size === keys.length, `${at}: duplicate parameters`)
      for (const name of templated) check(params.some((p) => p.in === 'path' && p.name === name), `${at}: {${name}} has no path parameter`)
      if (op.requestBody !== undefined) walkContent(op.requestBody.content, `${at} requestBody`)
      check(typeof op.responses === 'object' && Object.keys(op.responses ?? {}).length > 0, `${at}: responses required`)
      for (const [code, res] of Object.entries<any>(op.responses ?? {})) {
        check(/^([1-5](\d\d|XX)|default)$/.test(code), `${at}: bad response code ${code}`)
        check(typeof res.description === 'string', `${at} ${code}: description required`)
        if (res.content !== undefined) walkContent(res.content, `${at} ${code}`)
      }
    }
  }
  return problems
}

function resolve (doc: any, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined
  return ref.slice(2).split('/').reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
}

test('the OpenAPI document is valid OpenAPI 3.1 and documents only the client-facing API', async (t) => {
  // Other surfaces registered after the docs (the Control UI) stay out of the client API document; the hooks are in it.
  const { fetch } = await startHttpGateway(t, {
    beforeListen: (app) => { app.post('/ui/thing', { schema: { tags: ['ui'], body: { type: 'object' } } }, async () => ({ ok: true })) }
  })
  const res = await fetch('/v1/openapi.json')
  assert.equal(res.status, 200)
  const doc = await res.json() as any
  assert.deepEqual(validateOpenApi(doc), [])
  const official = await new Validator().validate(doc)
  assert.equal(official.valid, true, JSON.stringify(official.errors))
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/hooks/agent', '/hooks/wake', '/hooks/{id}', '/tools/invoke', '/v1/chat/completions', '/v1/embeddings', '/v1/messages', '/v1/messages/count_tokens', '/v1/models', '/v1/models/{id}', '/v1/responses', '/v1/responses/{id}', '/v1/responses/{id}/cancel', '/v1/responses/{id}/input_items'])
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: 'The gateway token or password.' })
  assert.deepEqual(doc.security, [{ bearerAuth: [] }])
  const chat = doc.paths['/v1/chat/completions'].post
  assert.deepEqual(Object.keys(chat.responses['200'].content).sort(), ['application/json', 'text/event-stream'])
  assert.ok(chat.parameters.some((p: any) => p.in === 'header' && p.name === 'x-openclaw-model'))
  assert.equal(chat.requestBody.content['application/json'].schema.additionalProperties, true, 'OpenAI bodies stay open')
  assert.equal(doc.paths['/tools/invoke'].post.requestBody.content['application/json'].schema.additionalProperties, false)
  assert.deepEqual(doc.paths['/hooks/agent'].post.security, [{ hooksToken: [] }], 'hooks take their own token')
  const messages = doc.paths['/v1/messages'].post
  assert.deepEqual(messages.security, [{ bearerAuth: [] }, { apiKeyHeader: [] }], 'Anthropic clients send x-api-key')
  assert.deepEqual(Object.keys(messages.responses['200'].content).sort(), ['application/json', 'text/event-stream'])
  assert.deepEqual(messages.requestBody.content['application/json'].schema.required.sort(), ['max_tokens', 'messages', 'model'])
  assert.ok(doc.paths['/v1/responses/{id}/input_items'].get.parameters.some((p: any) => p.in === 'query' && p.name === 'after'))
  assert.equal(doc.paths['/hooks/agent'].post.requestBody.content['application/json'].schema.additionalProperties, false)
})

test('the validator itself catches broken documents', () => {
  const broken = {
    openapi: '3.0.0',
    info: { title: 'x' },
    paths: {
      '/a/{id}': { get: { tags: ['nope'], parameters: [{ name: 'q', in: 'body' }], responses: { 200: { content: { 'application/json': { schema: { type: 'object', required: ['b'], hide: true } } } } } } }
    }
  }
  const problems = validateOpenApi(broken)
  for (const expected of [/openapi must be 3\.1/, /info\.title and info\.version/, /tag nope/, /valid in/, /\{id\} has no path parameter/, /description required/, /unknown schema keyword hide/, /required b is not a property/]) {
    assert.ok(problems.some((p) => expected.test(p)), `missing problem ${String(expected)} in ${JSON.stringify(problems)}`)
  }
})

test('the document and the Swagger UI are behind the gateway auth', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const anon = await fetch('/v1/openapi.json', { auth: false })
  assert.equal(anon.status, 401)
  assert.equal(((await anon.json()) as any).error.type, 'unauthorized')
  assert.equal((await fetch('/v1/docs', { auth: false })).status, 401)
  const page = await fetch('/v1/docs')
  assert.equal(page.status, 200)
  assert.match(page.headers.get('content-type') ?? '', /text\/html/)
  assert.match(await page.text(), /swagger/i)
})
