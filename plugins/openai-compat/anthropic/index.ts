// The Anthropic Messages ingress under /v1 (POST /v1/messages and
// /v1/messages/count_tokens): its own error handler so every failure on these
// routes, auth included, has Anthropic's envelope (route-options.ts has what
// the two routes share, `x-api-key` among it).
import type { FastifyInstance } from 'fastify'
import type { SurfaceOptions } from '../endpoints.js'
import countTokensRoute from './count-tokens.js'
import { toAnthropicFailure } from './errors.js'
import messagesRoutes from './messages.js'

export default async function anthropicMessages (app: FastifyInstance, surface: SurfaceOptions) {
  app.setErrorHandler(function anthropicErrorHandler (err, request, reply) {
    const failure = toAnthropicFailure(err)
    if (failure.internal) request.log.error({ err }, 'request failed')
    else if (failure.status >= 500) request.log.warn({ status: failure.status, err: failure.body.error.message }, 'request failed upstream')
    return reply.status(failure.status).headers(failure.headers).send(failure.body)
  })
  await app.register(messagesRoutes, surface)
  await app.register(countTokensRoute, surface)
}
