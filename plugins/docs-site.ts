// The docs site behind plugins/docs.ts, built on its first request: a private Fastify
// instance with @fastify/swagger and @fastify/swagger-ui, into which the documented
// routes are replayed (schemas only, no handlers). The gateway forwards /v1/docs* to it
// in-process and serves its document as /v1/openapi.json.
import Fastify, { type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import { lazyCompilers } from '../src/http/lazy-compilers.js'

export interface DocsSiteOptions {
  version: string
  /** The documented routes, as the gateway registered them. */
  routes: RouteOptions[]
  /** Shared schemas (`addSchema`) the route schemas may reference. */
  schemas: Record<string, unknown>
}

export interface DocsSite {
  document: () => unknown
  serveUi: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>
  close: () => Promise<void>
}

/** Per-connection and framing headers the gateway's own reply sets for itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

export async function buildDocsSite (opts: DocsSiteOptions): Promise<DocsSite> {
  // The replayed routes never run, so their schemas are never compiled.
  const site = Fastify({ routerOptions: { ignoreTrailingSlash: true }, schemaController: { compilersFactory: lazyCompilers() } })
  for (const schema of Object.values(opts.schemas)) site.addSchema(schema)
  await site.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenClaw Gateway HTTP API',
        version: opts.version,
        description: 'OpenAI-compatible endpoints (models are agents: `openclaw`, `openclaw/<agentId>`) and direct tool invocation.'
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'The gateway token or password.' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The gateway token or password, as Anthropic clients send it (/v1/messages only).' },
          hooksToken: { type: 'http', scheme: 'bearer', description: 'hooks.token (also accepted as X-OpenClaw-Token); never the gateway token.' }
        }
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'openai', description: 'OpenAI-compatible API' },
        { name: 'anthropic', description: 'Anthropic-compatible Messages API' },
        { name: 'tools', description: 'Direct tool invocation' },
        { name: 'hooks', description: 'Webhook ingress (hooks.enabled, hooks.token)' }
      ]
    },
    transform: ({ schema, url }) => {
      // OpenAPI has no wildcard segments: `/v1/models/*` is documented as `/v1/models/{id}`.
      const own = (schema ?? {}) as Record<string, unknown>
      if (!url.endsWith('/*')) return { schema: own, url }
      const params = own.params as { properties?: Record<string, unknown> } | undefined
      const id = params?.properties?.['*'] ?? { type: 'string' }
      return { schema: { ...own, params: { type: 'object', properties: { id }, required: ['id'] } }, url: `${url.slice(0, -1)}{id}` }
    }
  })
  for (const route of opts.routes) {
    site.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, handler: async () => undefined })
  }
  await site.register(fastifySwaggerUi, { routePrefix: '/v1/docs', uiConfig: { deepLinking: true, persistAuthorization: false } })
  await site.ready()

  return {
    document: () => site.swagger(),
    serveUi: async (request, reply) => {
      // Always GET: for a HEAD, Fastify derives the headers from the GET reply, then drops its body.
      const res = await site.inject({ method: 'GET', url: request.url, headers: request.headers })
      // Unknown docs paths get the gateway's own 404 (the OpenAI envelope under /v1).
      if (res.statusCode === 404) {
        reply.callNotFound()
        return reply
      }
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) void reply.header(name, value)
      }
      // An empty Buffer would still be labelled application/octet-stream (a redirect has no body).
      return await reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined)
    },
    close: async () => { await site.close() }
  }
}
