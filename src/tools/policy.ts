/**
 * Tool allow/deny policy. Two layers (global `tools`, then
 * `agents.entries.<id>.tools`) are applied in turn: a tool must pass both.
 * Within a layer deny wins over allow, and a non-empty allow list restricts
 * to its matches; an absent or empty allow list restricts nothing (OpenClaw's
 * contract: use `deny: ["*"]` to switch everything off).
 */
import type { GatewayConfig } from '../../schemas/config.js'

/** Named sets an entry can refer to as `group:<name>`. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'group:fs': Object.freeze(['read', 'write', 'edit', 'ls']),
  'group:sessions': Object.freeze(['sessions_list', 'session_status']),
  'group:runtime': Object.freeze(['exec'])
})

export interface ToolPolicy {
  allow?: readonly string[]
  deny?: readonly string[]
}

type Matcher = (name: string) => boolean

const normalize = (s: string): string => s.trim().toLowerCase()

/** One entry: a tool name, a group, `*`, or a glob such as `sessions_*`. */
function entryMatcher (entry: string): Matcher {
  const e = normalize(entry)
  if (e === '') return () => false
  if (e === '*') return () => true
  // Own keys only: an entry such as "constructor" must not resolve to Object.prototype members.
  // An unknown group falls through to a literal match, which never hits: tool names cannot contain ':'.
  if (Object.hasOwn(TOOL_GROUPS, e)) {
    const group = TOOL_GROUPS[e]
    return (name) => group.includes(name)
  }
  if (e.includes('*')) {
    const source = e.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')
    const re = new RegExp(`^${source}$`)
    return (name) => re.test(name)
  }
  return (name) => name === e
}

function listMatcher (entries: readonly string[]): Matcher {
  const matchers = entries.map(entryMatcher)
  return (name) => matchers.some((m) => m(name))
}

/** Compiles the layers once so a whole tool list is filtered without re-parsing entries. */
export function compilePolicy (layers: readonly (ToolPolicy | undefined)[]): (toolName: string) => boolean {
  const compiled = layers
    .filter((l): l is ToolPolicy => l !== undefined)
    .map((l) => ({
      deny: l.deny !== undefined && l.deny.length > 0 ? listMatcher(l.deny) : undefined,
      allow: l.allow !== undefined && l.allow.length > 0 ? listMatcher(l.allow) : undefined
    }))
  return (toolName) => {
    const name = normalize(toolName)
    return compiled.every(({ deny, allow }) => !(deny?.(name) ?? false) && (allow?.(name) ?? true))
  }
}

/** The layers that apply to `agentId` under `config`, outermost first. */
export function policyLayers (config: Readonly<GatewayConfig>, agentId: string): (ToolPolicy | undefined)[] {
  const agentEntries = config.agents?.entries
  // Own-property lookup: an agent id like "constructor" must not reach Object.prototype.
  const agent = agentEntries !== undefined && Object.hasOwn(agentEntries, agentId) ? agentEntries[agentId] : undefined
  return [config.tools, agent?.tools]
}
