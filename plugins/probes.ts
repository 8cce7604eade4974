// Liveness, readiness and startup probes (contract 3.1): no auth, GET/HEAD only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { isLoopbackAddress } from '../src/net.js'

const NOT_ALLOWED = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

const Live = Type.Object({ ok: Type.Boolean(), status: Type.String() })
const Ready = Type.Object({
  ready: Type.Boolean(),
  failing: Type.Optional(Type.Array(Type.String())),
  uptimeMs: Type.Optional(Type.Integer())
})
const Startup = Type.Object({
  ok: Type.Boolean(),
  status: Type.String(),
  version: Type.Optional(Type.String()),
  uptimeMs: Type.Optional(Type.Integer())
})

export default async function probes (app: FastifyInstance) {
  const detailed = (request: FastifyRequest): boolean => {
    if (isLoopbackAddress(request.socket.remoteAddress) && request.headers['x-forwarded-for'] === undefined) return true
    const header = request.headers.authorization
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    return token !== undefined && app.gatewayAuth.checkSecret({ token }).ok
  }
  const json = (reply: FastifyReply, status: number, body: unknown) =>
    reply.status(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body)

  const probe = (urls: string[], schema: object, handler: (req: FastifyRequest, reply: FastifyReply) => unknown) => {
    for (const url of urls) {
      app.get(url, { schema: { tags: ['probes'], response: { 200: schema, 503: schema } } }, async (req, reply) => handler(req, reply))
      app.route({ method: [...NOT_ALLOWED], url, handler: async (_req, reply) => reply.status(405).header('allow', 'GET, HEAD').type('text/plain; charset=utf-8').send('Method Not Allowed') })
    }
  }

  probe(['/health', '/healthz'], Live, (_req, reply) => json(reply, 200, { ok: true, status: 'live' }))

  probe(['/ready', '/readyz'], Ready, (req, reply) => {
    const failing = app.gateway.phase === 'ready' ? [] : [`gateway ${app.gateway.phase}`]
    const ready = failing.length === 0
    const body = detailed(req) ? { ready, failing, uptimeMs: app.gateway.uptimeMs() } : { ready }
    return json(reply, ready ? 200 : 503, body)
  })

  probe(['/startup', '/startupz'], Startup, (req, reply) => {
    const started = app.gateway.phase !== 'starting'
    const base = { ok: started, status: started ? 'started' : 'starting' }
    const body = detailed(req) ? { ...base, version: app.gateway.version, uptimeMs: app.gateway.uptimeMs() } : base
    return json(reply, started ? 200 : 503, body)
  })
}
