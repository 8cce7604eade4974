// CORS for browser clients (LobeChat client mode, Obsidian, Cursor webviews;
// clients.md 1.3-1.4): off unless `gateway.http.cors.allowedOrigins` lists
// origins, read per request so a reload applies. Preflights are answered in
// an onRequest hook that runs before the routes' auth, as browsers send them
// without credentials.
import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

// The openai SDK's own headers (x-stainless-*) are echoed back from the preflight request.
const EXPOSED = ['retry-after', 'x-request-id', 'x-should-retry']

export async function registerCors (app: FastifyInstance): Promise<void> {
  const off: FastifyCorsOptions = { origin: false }
  let cached: { list: readonly string[] | undefined, options: FastifyCorsOptions } | undefined
  const optionsFor = (list: readonly string[] | undefined): FastifyCorsOptions => {
    if (cached !== undefined && cached.list === list) return cached.options
    const options: FastifyCorsOptions = list === undefined || list.length === 0
      ? off
      : {
          origin: list.includes('*') ? '*' : list.map((o) => o.replace(/\/+$/, '')),
          methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
          exposedHeaders: EXPOSED,
          maxAge: 600,
          // A preflight without Access-Control-Request-Method is still answered, not 400'd.
          strictPreflight: false
        }
    cached = { list, options }
    return options
  }
  await app.register(fastifyCors, {
    delegator: (_request, callback) => {
      callback(null, optionsFor(app.configStore.config.gateway?.http?.cors?.allowedOrigins))
    }
  })
}
