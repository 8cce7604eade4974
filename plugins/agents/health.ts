// What the agent engine and the session store add to `health` and `status`.
import type { AgentEngine } from '../../src/agents/engine.js'
import type { FileSessionStore } from '../../src/sessions/index.js'
import type { HealthExtender, StatusExtender } from '../../src/rpc/types.js'

export function healthPart (engine: AgentEngine, sessions: FileSessionStore, stateDir: string, now: () => number): HealthExtender {
  return async () => {
    const catalog = engine.catalog()
    // A large index still loading: the snapshot taken when the load ends carries the counts.
    if (!sessions.loaded() && !(await sessions.smallIndex())) return { defaultAgentId: catalog.defaultId }
    const { sessions: recent, total } = await sessions.list({ limit: 5 })
    const t = now()
    return {
      defaultAgentId: catalog.defaultId,
      sessions: {
        path: stateDir,
        count: total,
        recent: recent.map((e) => ({ key: e.key, updatedAt: e.updatedAt, age: Math.max(0, t - e.updatedAt) }))
      }
    }
  }
}

export function statusPart (engine: AgentEngine, sessions: FileSessionStore): StatusExtender {
  return async () => ({
    agents: { defaultId: engine.catalog().defaultId, count: engine.catalog().agents.length, activeRuns: engine.activeRuns().length },
    sessions: { count: (await sessions.list({ limit: 1 })).total }
  })
}
