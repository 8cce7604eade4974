// System events (`wake`, `/hooks/wake`, hook replies): text for an agent's
// main session. Queued events ride along with the session's next turn (a
// heartbeat, or any chat/agent turn); `now` asks for a heartbeat at once.
import type { AgentEngine, RunHandle } from '../../src/agents/engine.js'
import type { ChatMessage } from '../../src/providers/index.js'

const MAX_PENDING_PER_SESSION = 50

export interface WakeRequest { mode: 'now' | 'next-heartbeat', text: string, sessionKey?: string | undefined, agentId?: string | undefined }
export interface WakeResult { ok: true, mode: WakeRequest['mode'], eventOutcome: 'queued' | 'coalesced', runId?: string }

/** Runs a heartbeat turn on a session now (the heartbeat runner); undefined when it was skipped. */
export type RunNow = (agentId: string, sessionKey: string) => Promise<RunHandle | undefined>

export class SystemEvents {
  private readonly pending = new Map<string, string[]>()
  private runNow: RunNow
  constructor (private readonly engine: AgentEngine, private readonly log: { warn: (obj: object, msg: string) => void }) {
    // Until a heartbeat runner is attached: a plain turn with the queued events.
    this.runNow = async (agentId, sessionKey) => {
      const input = this.peek(sessionKey)
      const handle = this.engine.start({ source: 'hook', agentId, sessionKey, input })
      this.drain(sessionKey)
      return handle
    }
  }

  attachRunner (runNow: RunNow): void { this.runNow = runNow }

  async wake (req: WakeRequest): Promise<WakeResult> {
    const { agent, sessionKey } = this.engine.resolveTarget(req.agentId, req.sessionKey)
    const eventOutcome = this.enqueue(sessionKey, req.text)
    if (req.mode === 'now') {
      try {
        const handle = await this.runNow(agent.id, sessionKey)
        return { ok: true, mode: 'now', eventOutcome, ...(handle !== undefined ? { runId: handle.runId } : {}) }
      } catch (err) {
        // No model yet is a normal state: the event stays queued for a later turn.
        this.log.warn({ sessionKey, err: (err as Error).message }, 'wake could not start a run; event queued')
      }
    }
    return { ok: true, mode: req.mode, eventOutcome }
  }

  /** Queues a text for the session's next turn; the same text already waiting is coalesced. */
  enqueue (sessionKey: string, text: string): WakeResult['eventOutcome'] {
    const list = this.pending.get(sessionKey) ?? []
    if (list.includes(text)) return 'coalesced'
    list.push(text)
    if (list.length > MAX_PENDING_PER_SESSION) list.shift()
    this.pending.set(sessionKey, list)
    return 'queued'
  }

  /** Pending events of a session as messages, left in the queue. */
  peek (sessionKey: string): ChatMessage[] {
    return (this.pending.get(sessionKey) ?? []).map(systemMessage)
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
