// GET /v1/models and /v1/models/{id} (contract 3.3): the agents, as
// agent-first model ids, then the configured provider models as
// `provider/model` (gateway.http.models.includeProviderModels). Served while
// either OpenAI endpoint is on.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AgentCatalog } from '../../src/agents/catalog.js'
import type { GatewayConfig } from '../../schemas/config.js'
import { ErrorResponses, Model, ModelList } from '../../schemas/openai.js'
import { endpointGate } from './endpoints.js'
import { invalidRequest, notFound } from './errors.js'
import { parseModelTarget, providerModelIds } from './routing.js'
import { SCOPE_READ } from '../../src/rpc/scopes.js'

function model (id: string, ownedBy = 'openclaw'): Model {
  return { id, object: 'model', created: 0, owned_by: ownedBy, permission: [] }
}

/** `openclaw`, `openclaw/default`, `openclaw/<agentId>` for every configured agent, then `provider/model`s. */
export function listModels (catalog: AgentCatalog, config: Readonly<GatewayConfig>): Model[] {
  const providers = providerModelIds(config).map((id) => model(id, id.slice(0, id.indexOf('/'))))
  return [model('openclaw'), model('openclaw/default'), ...catalog.agents.map((a) => model(`openclaw/${a.id}`)), ...providers]
}

export default async function modelsRoutes (parent: FastifyInstance) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const onRequest = [app.httpAuth(SCOPE_READ), endpointGate(app, 'either')]

  app.get('/models', {
    onRequest,
    schema: {
      tags: ['openai'],
      summary: 'List the agents as models',
      response: { 200: ModelList, ...ErrorResponses }
    }
  }, async () => ({ object: 'list' as const, data: listModels(app.agents.catalog(), app.configStore.config) }))

  // A wildcard, not `:id`: ids contain '/', sent raw or as %2F (the SDK encodes it).
  app.get('/models/*', {
    onRequest,
    schema: {
      tags: ['openai'],
      summary: 'Retrieve one agent model',
      params: Type.Object({ '*': Type.String({ description: 'The model id, URL-encoded (`openclaw%2Fmain`) or raw (`openclaw/main`).' }) }),
      response: { 200: Model, ...ErrorResponses }
    }
  }, async (request) => {
    // The raw path, decoded once here, so a bad escape is our 400 and not the router's.
    const path = request.url.split('?', 1)[0]!
    const raw = path.slice(path.indexOf('/models/') + '/models/'.length).replace(/\/+$/, '')
    if (raw === '') throw invalidRequest('Missing model id.', 'model')
    let id: string
    try {
      id = decodeURIComponent(raw)
    } catch {
      throw invalidRequest('Invalid model id encoding.', 'model')
    }
    const target = parseModelTarget(id)
    const known = target.ok
      ? target.agentId === undefined || app.agents.catalog().get(target.agentId) !== undefined
      : providerModelIds(app.configStore.config).includes(id)
    if (!known) throw notFound(`Model '${id}' not found.`, 'model_not_found')
    return target.ok ? model(id) : model(id, id.slice(0, id.indexOf('/')))
  })
}
