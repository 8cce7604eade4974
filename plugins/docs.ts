// The OpenAPI document of the HTTP API clients use (/v1/* and /tools/invoke),
// built from the routes' own schemas, and a Swagger UI page. Both sit behind
// the gateway's bearer auth. Register before the routes it documents:
// @fastify/swagger collects routes from its onRoute hook.
import fp from 'fastify-plugin'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Only the client-facing API is documented; probes, WS and Control UI routes are not. */
export function isDocumented (url: string): boolean {
  return url.startsWith('/v1/') || url === '/tools/invoke'
}

export default fp(async function docsPlugin (app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenClaw Gateway HTTP API',
        version: app.gateway.version,
        description: 'OpenAI-compatible endpoints (models are agents: `openclaw`, `openclaw/<agentId>`) and direct tool invocation.'
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The gateway token or password.' } } },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'openai', description: 'OpenAI-compatible API' },
        { name: 'tools', description: 'Direct tool invocation' }
      ]
    },
    transform: ({ schema, url }) => {
      const own = (schema ?? {}) as Record<string, unknown>
      if (!isDocumented(url)) return { schema: { ...own, hide: true }, url }
      // OpenAPI has no wildcard segments: `/v1/models/*` is documented as `/v1/models/{id}`.
      if (!url.endsWith('/*')) return { schema: own, url }
      const params = own.params as { properties?: Record<string, unknown> } | undefined
      const id = params?.properties?.['*'] ?? { type: 'string' }
      return { schema: { ...own, params: { type: 'object', properties: { id }, required: ['id'] } }, url: `${url.slice(0, -1)}{id}` }
    }
  })

  const auth = app.auth([app.verifyGatewayBearer])
  app.get('/v1/openapi.json', { onRequest: auth, schema: { hide: true } }, async () => app.swagger())
  await app.register(fastifySwaggerUi, {
    routePrefix: '/v1/docs',
    uiHooks: { onRequest: auth },
    uiConfig: { deepLinking: true, persistAuthorization: false }
  })
}, { name: 'docs', fastify: '5.x', dependencies: ['config', 'auth'] })
