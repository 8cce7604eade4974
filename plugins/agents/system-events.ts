// System events (`wake`, `/hooks/wake`): text for an agent's main session.
// `now` starts a turn at once; `next-heartbeat` queues the text so it rides
// along with the session's next turn.
import type { AgentEngine } from '../../src/agents/engine.js'
import type { ChatMessage } from '../../src/providers/index.js'

const MAX_PENDING_PER_SESSION = 50

export interface WakeRequest { mode: 'now' | 'next-heartbeat', text: string, sessionKey?: string | undefined, agentId?: string | undefined }
export interface WakeResult { ok: true, mode: WakeRequest['mode'], eventOutcome: 'queued' | 'coalesced', runId?: string }

export class SystemEvents {
  private readonly pending = new Map<string, string[]>()
  constructor (private readonly engine: AgentEngine, private readonly log: { warn: (obj: object, msg: string) => void }) {}

  async wake (req: WakeRequest): Promise<WakeResult> {
    const { agent, sessionKey } = this.engine.resolveTarget(req.agentId, req.sessionKey)
    if (req.mode === 'now') {
      try {
        const handle = this.engine.start({ source: 'hook', agentId: agent.id, sessionKey, input: [...this.drain(sessionKey), systemMessage(req.text)] })
        return { ok: true, mode: 'now', eventOutcome: 'queued', runId: handle.runId }
      } catch (err) {
        // No model yet is a normal state: keep the event for a later turn.
        this.log.warn({ sessionKey, err: (err as Error).message }, 'wake could not start a run; event queued')
      }
    }
    const list = this.pending.get(sessionKey) ?? []
    if (list.includes(req.text)) return { ok: true, mode: req.mode, eventOutcome: 'coalesced' }
    list.push(req.text)
    if (list.length > MAX_PENDING_PER_SESSION) list.shift()
    this.pending.set(sessionKey, list)
    return { ok: true, mode: req.mode, eventOutcome: 'queued' }
  }

  /** Pending events of a session as messages to prepend to its next turn. */
  drain (sessionKey: string): ChatMessage[] {
    const list = this.pending.get(sessionKey)
    if (list === undefined) return []
    this.pending.delete(sessionKey)
    return list.map(systemMessage)
  }
}

function systemMessage (text: string): ChatMessage {
  return { role: 'user', content: `[System event] ${text}` }
}
