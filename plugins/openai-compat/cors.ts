// CORS for browser clients (LobeChat client mode, Obsidian, Cursor webviews;
// clients.md 1.3-1.4): off unless `gateway.http.cors.allowedOrigins` lists
// origins, read per request so a reload applies. Preflights are answered in
// an onRequest hook that runs before the routes' auth, as browsers send them
// without credentials.
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

// The openai SDK's own headers (x-stainless-*) are echoed back from the preflight request.
const EXPOSED = ['retry-after', 'x-request-id', 'x-should-retry']

type OriginDecision = '*' | boolean

export async function registerCors (app: FastifyInstance): Promise<void> {
  // Static options with a per-request origin decision: the plugin's options
  // are normalized once, not per request (a delegator would rebuild them on
  // every call, CORS on or off).
  let cached: { list: readonly string[] | undefined, decide: (origin: string | undefined) => OriginDecision } | undefined
  const deciderFor = (list: readonly string[] | undefined) => {
    if (cached !== undefined && cached.list === list) return cached.decide
    const allowed = new Set((list ?? []).map((o) => o.replace(/\/+$/, '')))
    const decide = allowed.has('*')
      ? () => '*' as const
      : (origin: string | undefined) => origin !== undefined && allowed.has(origin)
    cached = { list, decide }
    return decide
  }
  await app.register(fastifyCors, {
    origin: (origin, callback) => {
      callback(null, deciderFor(app.configStore.config.gateway?.http?.cors?.allowedOrigins)(origin))
    },
    methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    exposedHeaders: EXPOSED,
    maxAge: 600,
    // A preflight without Access-Control-Request-Method is still answered, not 400'd.
    strictPreflight: false
  })
}
