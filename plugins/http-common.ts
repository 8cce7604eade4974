// Behaviour every HTTP response shares: security headers (contract 3.1) and
// the rendering of gateway-raised errors in the OpenAI envelope.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance } from 'fastify'
import { codeOf, openAiError } from '../src/http/openai-error.js'
import { routeTable, type RouteTable } from '../src/http/route-table.js'
import { SECURITY_HEADERS } from '../src/http/security-headers.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Methods per path across every surface (for 405 answers). */
    routeTable: RouteTable
  }
}

export default fp(async function httpCommon (app: FastifyInstance) {
  app.decorate('routeTable', routeTable(app))

  // A callback hook, not an async one: no promise per request for four headers.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS)
    const hsts = app.configStore.config.gateway?.http?.securityHeaders?.strictTransportSecurity
    if (typeof hsts === 'string' && hsts !== '') reply.header('strict-transport-security', hsts)
    done()
  })

  app.setErrorHandler(function rootErrorHandler (err: FastifyError, request, reply) {
    const status = err.statusCode ?? 500
    if (err.code?.startsWith('GW_ERR_') === true || status === 413 || status === 415 || err.validation !== undefined) {
      if (status >= 500) request.log.error({ err }, 'request failed')
      const message = err.validation !== undefined ? err.message : (status >= 500 && !err.code?.startsWith('GW_ERR_') ? 'internal error' : err.message)
      return reply.status(status).send(openAiError(status, status === 413 ? 'Payload too large' : message, { code: codeOf(err) }))
    }
    if (status >= 500) request.log.error({ err }, 'request failed')
    // Everything else keeps Fastify's default error shape.
    return reply.send(err)
  })

  app.setNotFoundHandler(async (_request, reply) => {
    return reply.status(404).type('text/plain; charset=utf-8').send('Not Found')
  })
}, { name: 'http-common', fastify: '5.x', dependencies: ['config'] })
