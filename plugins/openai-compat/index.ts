// The OpenAI-compatible HTTP surface under /v1 (contract 3.3-3.6). One
// encapsulated plugin: its error handler, 404/405 handler, content types and
// CORS apply to these routes only. Register it with `{ prefix: '/v1' }`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import chatCompletionsRoutes from './chat-completions.js'
import { registerCors } from './cors.js'
import embeddingsRoutes from './embeddings.js'
import type { SurfaceOptions } from './endpoints.js'
import { ERR_METHOD_NOT_ALLOWED } from '../../src/errors/index.js'
import { watchDisconnects } from '../../src/http/disconnect-watch.js'
import { notFound, toOpenAiFailure } from './errors.js'
import modelsRoutes from './models.js'
import { openResponseStore, storeLimits } from './response-store.js'
import responsesRoutes from './responses.js'
import storedResponsesRoutes from './responses-stored.js'
import anthropicMessages from './anthropic/index.js'
import path from 'node:path'
import type { ConfigChange } from '../../src/config/store.js'
import { KeepAlive } from './streaming/index.js'

export interface OpenAiCompatOptions {
  bodyLimit?: number
}

export default async function openaiCompat (app: FastifyInstance, opts: OpenAiCompatOptions) {
  const keepAlive = new KeepAlive()
  app.addHook('onClose', async () => { keepAlive.close() })
  const surface: SurfaceOptions = { bodyLimit: opts.bodyLimit ?? 20 * 1024 * 1024, disconnects: watchDisconnects(app.server), keepAlive }
  // JSON only: a text/plain or form body is a 415, not a confusing schema error.
  app.removeContentTypeParser('text/plain')

  await registerCors(app)

  app.setErrorHandler(function openAiErrorHandler (err, request, reply) {
    const failure = toOpenAiFailure(err)
    if (failure.internal) request.log.error({ err }, 'request failed')
    else if (failure.status >= 500) request.log.warn({ status: failure.status, err: failure.body.error.message }, 'request failed upstream')
    return reply.status(failure.status).headers(failure.headers).send(failure.body)
  })

  app.setNotFoundHandler(async function openAiNotFound (request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split('?', 1)[0]!
    const allowed = app.routeTable.methodsFor(path)
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      throw new ERR_METHOD_NOT_ALLOWED()
    }
    throw notFound(`Unknown route: ${request.method} ${path}.`, 'unknown_route')
  })

  // Derived once per config snapshot rather than per save; a reload swaps the snapshot.
  let limits = storeLimits(app.configStore.config)
  const onConfigChange = (change: ConfigChange) => { limits = storeLimits(change.next.snapshot.config) }
  app.configStore.on('change', onConfigChange)
  app.addHook('onClose', async () => { app.configStore.off('change', onConfigChange) })
  const store = await openResponseStore({
    dir: path.join(app.gateway.paths.stateDir, 'responses'),
    limits: () => limits,
    now: app.gateway.now,
    onError: (err, op) => { app.log.warn({ err, op }, 'response store failed') }
  })
  app.addHook('onClose', async () => { await store.close() })
  await app.register(modelsRoutes)
  await app.register(chatCompletionsRoutes, surface)
  await app.register(responsesRoutes, { ...surface, store })
  await app.register(storedResponsesRoutes, { store })
  await app.register(embeddingsRoutes, surface)
  await app.register(anthropicMessages, surface)
}
