// POST /v1/embeddings (contract 3.6): the agent-target `model` routes and is
// echoed back; the vectors come from `memory.search.provider`/`.model` (or
// `x-openclaw-model: provider/model`) through that provider's adapter.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { isAgentError } from '../../src/errors/agents.js'
import { resolveModelRef, type ModelTarget } from '../../src/agents/model-resolver.js'
import type { GatewayConfig } from '../../schemas/config.js'
import { EmbeddingsRequest, EmbeddingsResponse, ErrorResponses, FIELD_MESSAGES, RoutingHeaders } from '../../schemas/openai.js'
import { endpointGate, type SurfaceOptions } from './endpoints.js'
import { fromAgentError, invalidRequest, misconfigured } from './errors.js'
import { resolveModelOverride, resolveTargetAgent } from './routing.js'
import { formatSchemaErrors } from './validation.js'
import { SCOPE_WRITE } from '../../src/rpc/scopes.js'

const NOT_CONFIGURED = 'No embeddings model is configured: set memory.search.provider (a models.providers id) and memory.search.model, or send `x-openclaw-model: provider/model`.'

/** Little-endian float32, base64: what the openai SDK decodes with `toFloat32Array`. */
export function toBase64Float32 (vector: readonly number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4)
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4)
  return buf.toString('base64')
}

/** The override names the backend directly; otherwise memory.search does. */
function backendOf (config: Readonly<GatewayConfig>, override: string | undefined, agentId: string): ModelTarget {
  if (override !== undefined) {
    try {
      return resolveModelRef(config, override)
    } catch (err) {
      throw isAgentError(err) ? fromAgentError(err, { modelOverride: override, agentId }) : err
    }
  }
  const search = config.memory?.search
  if (search?.model === undefined || search.model === '') throw misconfigured(NOT_CONFIGURED)
  if (search.provider === undefined || search.provider === '') {
    try {
      return resolveModelRef(config, search.model)
    } catch {
      throw misconfigured(NOT_CONFIGURED)
    }
  }
  if (config.models?.providers?.[search.provider] === undefined) {
    throw misconfigured(`memory.search.provider '${search.provider}' is not a configured provider (add models.providers.${search.provider}).`)
  }
  return { providerId: search.provider, model: search.model }
}

export default async function embeddingsRoutes (parent: FastifyInstance, opts: SurfaceOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/embeddings', {
    onRequest: [app.httpAuth(SCOPE_WRITE), endpointGate(app, 'either')],
    bodyLimit: opts.bodyLimit,
    schemaErrorFormatter: formatSchemaErrors(FIELD_MESSAGES.embeddings),
    schema: {
      tags: ['openai'],
      summary: 'Create embeddings',
      description: 'Backed by memory.search.provider/model, or by the `x-openclaw-model` header.',
      headers: RoutingHeaders,
      body: EmbeddingsRequest,
      response: { 200: EmbeddingsResponse, ...ErrorResponses }
    }
  }, async (request, reply): Promise<EmbeddingsResponse> => {
    const body = request.body
    const agent = resolveTargetAgent(app.agents.catalog(), request, body.model)
    const override = resolveModelOverride(request, app.httpGrant)
    const config = app.configStore.config
    const backend = backendOf(config, override, agent.id)
    const adapter = app.agents.providers.get(backend.providerId, config)
    if (adapter.embed === undefined) {
      const message = `Provider '${backend.providerId}' (api ${adapter.api}) has no embeddings endpoint; use an OpenAI-compatible provider.`
      throw override !== undefined ? invalidRequest(message, null, 'embeddings_unsupported') : misconfigured(`${message} (memory.search.provider)`)
    }
    const input = typeof body.input === 'string' ? [body.input] : body.input
    // A client that leaves stops the upstream call too.
    const controller = new AbortController()
    const onClose = () => { if (!reply.raw.writableFinished) controller.abort() }
    reply.raw.once('close', onClose)
    // Provider failures propagate as ProviderErrors; the error handler maps them like run failures.
    const result = await adapter.embed({ model: backend.model, input, ...(body.dimensions !== undefined ? { dimensions: body.dimensions } : {}), signal: controller.signal })
    const base64 = body.encoding_format === 'base64'
    return {
      object: 'list',
      data: result.embeddings.map((vector, index) => ({ object: 'embedding' as const, index, embedding: base64 ? toBase64Float32(vector) : vector })),
      model: body.model,
      usage: { prompt_tokens: result.usage.promptTokens, total_tokens: result.usage.totalTokens }
    }
  })
}
