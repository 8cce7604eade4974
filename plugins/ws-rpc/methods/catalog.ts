// Read-only catalogues: models.list, models.authStatus, agents.list,
// agent.identity.get, tools.catalog and commands.list.
import type { FastifyInstance } from 'fastify'
import { AgentIdentityParams, CommandsListParams, ModelsAuthStatusParams, ModelsListParams, ToolsCatalogParams } from '../../../schemas/rpc/catalog.js'
import { EmptyParams } from '../../../schemas/rpc/core.js'
import { toRpcError } from '../../../src/agents/rpc-errors.js'

/** Slash commands the Control UI offers; each maps onto a method we implement. */
const COMMANDS = [
  { name: 'new', description: 'Start a new session (sessions.reset)', method: 'sessions.reset' },
  { name: 'reset', description: 'Reset the current session (sessions.reset)', method: 'sessions.reset' },
  { name: 'stop', description: 'Abort the running reply (chat.abort)', method: 'chat.abort' },
  { name: 'model', description: 'Set the session model: /model provider/model (sessions.patch)', method: 'sessions.patch', args: 'provider/model' }
]

export function registerCatalogMethods (app: FastifyInstance): void {
  const agentFor = (id: string | undefined, sessionKey: string | undefined, method: string) => {
    try {
      return app.agents.resolveTarget(id, sessionKey).agent
    } catch (err) { throw toRpcError(err, method) }
  }

  app.rpc.register('models.list', {
    scope: 'operator.read',
    params: ModelsListParams,
    handler: async (params) => ({ models: listModels(app, params.provider) })
  })

  // Credential health per configured provider, in OpenClaw's shape. Keys live in config or the
  // environment (no OAuth, no saved profiles): a configured key is `static`, none is `missing`.
  app.rpc.register('models.authStatus', {
    scope: 'operator.read',
    params: ModelsAuthStatusParams,
    handler: async (params) => {
      if (params.agentId !== undefined) agentFor(params.agentId, undefined, 'models.authStatus')
      const keys = app.configStore.current.secrets.providerKeys
      const providers = Object.entries(app.configStore.config.models?.providers ?? {}).map(([id, p]) => {
        const hasKey = keys.get(id) !== undefined
        const ref = p.apiKey
        const apiKey = !hasKey ? undefined : typeof ref === 'object' && ref.source === 'env' ? { source: 'env', envVar: ref.id } : { source: 'config' }
        return { provider: id, authProvider: id, displayName: id, status: hasKey ? 'static' : 'missing', profiles: [], ...(apiKey !== undefined ? { apiKey } : {}) }
      })
      return { ts: app.gateway.now(), providers }
    }
  })

  app.rpc.register('agents.list', {
    scope: 'operator.read',
    params: EmptyParams,
    handler: async () => {
      const catalog = app.agents.catalog()
      return {
        defaultId: catalog.defaultId,
        mainKey: 'main',
        scope: 'per-sender',
        agents: catalog.agents.map((a) => ({
          id: a.id,
          name: a.name,
          identity: { name: a.identity.name ?? a.name, ...(a.identity.emoji !== undefined ? { emoji: a.identity.emoji } : {}), ...(a.identity.avatar !== undefined ? { avatar: a.identity.avatar } : {}) },
          workspace: a.workspace,
          // OpenClaw's shape: without `model.primary` its UI shows "Connect an AI provider".
          ...(a.model.primary !== undefined ? { model: { primary: a.model.primary, ...(a.model.fallbacks.length > 0 ? { fallbacks: [...a.model.fallbacks] } : {}) } } : {})
        }))
      }
    }
  })

  app.rpc.register('agent.identity.get', {
    scope: 'operator.read',
    params: AgentIdentityParams,
    handler: async (params) => {
      const a = agentFor(params.agentId, params.sessionKey, 'agent.identity.get')
      return { agentId: a.id, name: a.identity.name ?? a.name, ...(a.identity.emoji !== undefined ? { emoji: a.identity.emoji } : {}), ...(a.identity.avatar !== undefined ? { avatar: a.identity.avatar } : {}) }
    }
  })

  app.rpc.register('tools.catalog', {
    scope: 'operator.read',
    params: ToolsCatalogParams,
    handler: async (params) => {
      const a = agentFor(params.agentId, params.sessionKey, 'tools.catalog')
      const tools = app.tools.available(app.configStore.config, a.id).map((t) => ({ name: t.name, description: t.description, ...(t.ownerOnly === true ? { ownerOnly: true } : {}) }))
      return { agentId: a.id, tools }
    }
  })

  app.rpc.register('commands.list', {
    scope: 'operator.read',
    params: CommandsListParams,
    handler: async () => ({ commands: COMMANDS.map((c) => ({ ...c })) })
  })
}

/** Every configured model (optionally of one provider), as models.list and chat.metadata list them. */
export function listModels (app: FastifyInstance, provider?: string) {
  const config = app.configStore.config
  const aliases = new Map(Object.entries(config.agents?.defaults?.models ?? {}).map(([ref, d]) => [ref, d.alias]))
  const models = []
  for (const [id, p] of Object.entries(config.models?.providers ?? {})) {
    if (provider !== undefined && provider !== id) continue
    for (const m of p.models ?? []) {
      const alias = aliases.get(`${id}/${m.id}`)
      models.push({
        id: m.id,
        name: m.name ?? m.id,
        provider: id,
        ...(alias !== undefined ? { alias } : {}),
        ...(m.contextWindow !== undefined ? { contextWindow: m.contextWindow } : {}),
        ...(m.input !== undefined ? { input: [...m.input] } : {}),
        ...(m.reasoning !== undefined ? { reasoning: m.reasoning } : {}),
        supportsTools: true,
        available: true,
        local: /^https?:\/\/(127\.|localhost|\[::1\])/.test(p.baseUrl)
      })
    }
  }
  return models
}
