// The OpenAPI document of the HTTP API clients use (/v1/* and /tools/invoke),
// built from the routes' own schemas, and a Swagger UI page. Both sit behind
// the gateway's bearer auth. Register before the routes it documents: they are
// collected from the onRoute hook.
//
// @fastify/swagger, @fastify/swagger-ui and what they load (yaml, @fastify/static) were
// ~70 ms of start-up CPU and ~3 MB for pages few clients ever open, so this plugin only
// collects routes; the docs site (./docs-site.ts) is built on the first docs request.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { DocsSite } from './docs-site.js'
import { SCOPE_READ } from '../src/rpc/scopes.js'

/** Only the client-facing API and the webhooks are documented; probes, WS and Control UI routes are not. */
export function isDocumented (url: string, tags?: readonly string[]): boolean {
  return url.startsWith('/v1/') || url === '/tools/invoke' || tags?.includes('hooks') === true
}

export default fp(async function docsPlugin (app: FastifyInstance) {
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean, tags?: string[] } | undefined
    const hidden = schema?.hide === true
    if (isDocumented(route.url, schema?.tags) && route.method !== 'HEAD' && !hidden) routes.push(route)
  })

  let site: Promise<DocsSite> | undefined
  const docsSite = async (): Promise<DocsSite> => {
    site ??= import('./docs-site.js')
      .then(async ({ buildDocsSite }) => await buildDocsSite({ version: app.gateway.version, routes, schemas: app.getSchemas() }))
      .catch((err: unknown) => { site = undefined; throw err })
    return await site
  }
  app.addHook('onClose', async () => {
    const built = await site?.catch(() => undefined) // a failed build left nothing open
    await built?.close()
  })

  const auth = app.httpAuth(SCOPE_READ)
  app.get('/v1/openapi.json', { onRequest: auth, schema: { hide: true } }, async () => (await docsSite()).document())
  const ui = async (request: FastifyRequest, reply: FastifyReply) => await (await docsSite()).serveUi(request, reply)
  // @fastify/swagger-ui's own routes under its prefix; any other /v1/docs/… path is the gateway's 404.
  for (const url of ['/v1/docs', '/v1/docs/json', '/v1/docs/yaml', '/v1/docs/static/*']) {
    app.get(url, { onRequest: auth, schema: { hide: true } }, ui)
  }
}, { name: 'docs', fastify: '5.x', dependencies: ['config', 'auth'] })
