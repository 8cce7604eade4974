// Turns model references (`provider/model`, an alias, or a bare model id)
// into concrete targets on configured providers.
import type { GatewayConfig } from '../../schemas/config.js'
import { AgentError } from '../errors/agents.js'

export interface ModelTarget { providerId: string, model: string }

export function formatTarget (t: ModelTarget): string { return `${t.providerId}/${t.model}` }

export function resolveModelRef (config: GatewayConfig, ref: string): ModelTarget {
  const providers = config.models?.providers ?? {}
  const aliased = aliasTarget(config, ref)
  const text = aliased ?? ref
  const slash = text.indexOf('/')
  if (slash > 0) {
    const providerId = text.slice(0, slash)
    const model = text.slice(slash + 1)
    if (providers[providerId] === undefined) {
      throw new AgentError('MODEL_UNKNOWN', `unknown model provider "${providerId}" in "${ref}" (configure models.providers.${providerId})`)
    }
    if (model === '') throw new AgentError('MODEL_UNKNOWN', `invalid model reference "${ref}" (use provider/model)`)
    return { providerId, model }
  }
  // A bare id: the provider that lists it.
  for (const [providerId, p] of Object.entries(providers)) {
    if (p.models?.some((m) => m.id === text) === true) return { providerId, model: text }
  }
  throw new AgentError('MODEL_UNKNOWN', `unknown model "${ref}" (use provider/model, an alias from agents.defaults.models, or a model listed under models.providers)`)
}

/** The primary then each fallback, resolved; an empty selection is a clear error naming the key to set. */
export function resolveModelChain (config: GatewayConfig, agentId: string, selection: { primary: string | undefined, fallbacks: string[] }, override?: string): ModelTarget[] {
  if (override !== undefined && override !== '') return [resolveModelRef(config, override)]
  if (selection.primary === undefined) {
    throw new AgentError('MODEL_NOT_CONFIGURED', `no model configured for agent "${agentId}": set agents.defaults.model (e.g. "local/llama3.2") and models.providers.<id>`)
  }
  return [selection.primary, ...selection.fallbacks].map((ref) => resolveModelRef(config, ref))
}

function aliasTarget (config: GatewayConfig, ref: string): string | undefined {
  for (const [target, def] of Object.entries(config.agents?.defaults?.models ?? {})) {
    if (def.alias !== undefined && def.alias === ref) return target
  }
  return undefined
}
