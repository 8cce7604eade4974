// The configured agents, resolved once per config snapshot: ids, names,
// workspaces, model selection and which one is the default.
import path from 'node:path'
import type { GatewayConfig } from '../../schemas/config.js'
import { expandHome } from '../config/paths.js'

export interface ModelSelection { primary: string | undefined, fallbacks: string[] }

export interface AgentInfo {
  id: string
  name: string
  isDefault: boolean
  workspace: string
  model: ModelSelection
  timeoutSeconds: number
  identity: { name?: string, emoji?: string, avatar?: string }
}

export interface AgentCatalog {
  readonly defaultId: string
  readonly agents: readonly AgentInfo[]
  get: (id: string) => AgentInfo | undefined
}

export function buildAgentCatalog (config: GatewayConfig, dirs: { stateDir: string, home: string }): AgentCatalog {
  const defaults = config.agents?.defaults
  const entries = Object.entries(config.agents?.entries ?? {})
  // No entries is a normal state: one implicit `main` agent.
  if (entries.length === 0) entries.push(['main', {}])
  const defaultId = entries.find(([, e]) => e.default === true)?.[0] ??
    (entries.some(([id]) => id === 'main') ? 'main' : entries[0]![0])
  const baseWorkspace = path.resolve(expandHome(defaults?.workspace ?? path.join(dirs.stateDir, 'workspace'), dirs.home))
  const agents = entries.map(([id, e]): AgentInfo => ({
    id,
    name: e.name ?? e.identity?.name ?? id,
    isDefault: id === defaultId,
    workspace: e.workspace !== undefined
      ? path.resolve(expandHome(e.workspace, dirs.home))
      : (id === defaultId ? baseWorkspace : `${baseWorkspace}-${id}`),
    model: selection(e.model ?? defaults?.model),
    timeoutSeconds: e.timeoutSeconds ?? defaults?.timeoutSeconds ?? 600,
    identity: { ...e.identity }
  }))
  const byId = new Map(agents.map((a) => [a.id, a]))
  // Ids are stored lowercase; an exact hit (the usual case) skips the lowercasing.
  return { defaultId, agents, get: (id) => byId.get(id) ?? byId.get(id.toLowerCase()) }
}

function selection (model: string | { primary: string, fallbacks?: string[] } | undefined): ModelSelection {
  if (model === undefined) return { primary: undefined, fallbacks: [] }
  if (typeof model === 'string') return { primary: model, fallbacks: [] }
  return { primary: model.primary, fallbacks: [...(model.fallbacks ?? [])] }
}
