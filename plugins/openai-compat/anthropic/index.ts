// The Anthropic Messages ingress under /v1 (POST /v1/messages and
// /v1/messages/count_tokens): its own error handler so every failure on these
// routes, auth included, has Anthropic's envelope, and `x-api-key` accepted
// as the gateway token, checked by the same bearer verifier.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SurfaceOptions } from '../endpoints.js'
import countTokensRoute from './count-tokens.js'
import { toAnthropicFailure } from './errors.js'
import messagesRoutes from './messages.js'

/** Anthropic clients send the key as `x-api-key`; the gateway's verifier reads `Authorization: Bearer`. */
function apiKeyAsBearer (request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const key = request.headers['x-api-key']
  if (request.headers.authorization === undefined && typeof key === 'string' && key !== '') request.headers.authorization = `Bearer ${key}`
  done()
}

export default async function anthropicMessages (app: FastifyInstance, surface: SurfaceOptions) {
  app.setErrorHandler(function anthropicErrorHandler (err, request, reply) {
    const failure = toAnthropicFailure(err)
    if (failure.internal) request.log.error({ err }, 'request failed')
    else if (failure.status >= 500) request.log.warn({ status: failure.status, err: failure.body.error.message }, 'request failed upstream')
    return reply.status(failure.status).headers(failure.headers).send(failure.body)
  })
  const opts = { ...surface, auth: [apiKeyAsBearer] }
  await app.register(messagesRoutes, opts)
  await app.register(countTokensRoute, opts)
}
