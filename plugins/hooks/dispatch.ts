// What an authenticated hook delivery does: an agent run (wrapped as untrusted
// content, deduplicated by idempotency key, its reply posted to the agent's
// main session) or a wake (a system event for the next heartbeat, or now).
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { HookCompletion } from '../../schemas/hooks.js'
import { isAgentError } from '../../src/errors/agents.js'
import type { RunHandle } from '../../src/agents/engine.js'
import type { RunResult } from '../../src/agents/types.js'
import { ERR_INVALID_REQUEST, ERR_UNAVAILABLE } from '../../src/errors/index.js'
import { checkAgentAllowed, resolveHookSessionKey, type HooksConfig } from '../../src/hooks/policy.js'
import { wrapUntrusted } from '../../src/hooks/untrusted.js'
import type { WakeRequest, WakeResult } from '../agents/system-events.js'

export interface HookAgentAction {
  message: string
  name: string
  agentId?: string | undefined
  /** The caller's session key (policy applies); `mappingSessionKey` comes from config and is trusted. */
  sessionKey?: string | undefined
  mappingSessionKey?: string | undefined
  sessionMode: 'isolated' | 'persistent'
  idempotencyKey?: string | undefined
  waitForCompletion: boolean
  wakeMode: 'now' | 'next-heartbeat'
  deliver: boolean
  model?: string | undefined
  timeoutSeconds?: number | undefined
}

export interface HookAgentOutcome { runId: string, completion?: HookCompletion }

interface Admitted { runId: string, at: number, completion: Promise<HookCompletion> }

const IDEMPOTENCY_TTL_MS = 10 * 60_000
const IDEMPOTENCY_MAX = 1000
/** Replies that mean "nothing to say": not posted anywhere. */
const SILENT_REPLIES = new Set(['NO_REPLY', 'HEARTBEAT_OK'])
const PREVIEW_CHARS = 2000

export class HookDispatcher {
  private readonly admitted = new Map<string, Admitted>()
  constructor (private readonly app: FastifyInstance, private readonly log: FastifyBaseLogger) {}

  async agent (hooks: HooksConfig, action: HookAgentAction): Promise<HookAgentOutcome> {
    const key = action.idempotencyKey
    const known = key === undefined ? undefined : this.replay(key)
    const admitted = known ?? this.admit(hooks, action)
    if (!action.waitForCompletion) return { runId: admitted.runId }
    return { runId: admitted.runId, completion: await admitted.completion }
  }

  /** Whether `key` names a run admitted within the replay window. */
  knows (key: string): boolean { return this.replay(key) !== undefined }

  async wake (hooks: HooksConfig, req: WakeRequest): Promise<WakeResult> {
    const agent = this.resolveAgent(hooks, req.agentId)
    // A wake targets the agent's main session unless the caller may name one.
    if (req.sessionKey !== undefined) resolveHookSessionKey(hooks, req.sessionKey)
    try {
      return await this.app.systemEvents.wake({ ...req, agentId: agent })
    } catch (err) {
      throw asHttpError(err)
    }
  }

  private replay (key: string): Admitted | undefined {
    const hit = this.admitted.get(key)
    if (hit === undefined) return undefined
    if (this.app.gateway.now() - hit.at > IDEMPOTENCY_TTL_MS) {
      this.admitted.delete(key)
      return undefined
    }
    return hit
  }

  private admit (hooks: HooksConfig, action: HookAgentAction): Admitted {
    const agentId = this.resolveAgent(hooks, action.agentId)
    const sessionKey = resolveHookSessionKey(hooks, action.sessionKey, action.mappingSessionKey)
    let handle: RunHandle
    try {
      handle = this.app.agents.start({
        runId: randomUUID(),
        agentId,
        sessionKey,
        source: 'hook',
        channel: 'hook',
        input: [{ role: 'user', content: wrapUntrusted(action.message, `Webhook (${action.name})`) }],
        // Isolated: the run sees none of the session's earlier turns (they stay on disk).
        ...(action.sessionMode === 'isolated' ? { context: [] } : {}),
        ...(action.model !== undefined ? { modelOverride: action.model } : {}),
        ...(action.timeoutSeconds !== undefined ? { timeoutMs: Math.round(action.timeoutSeconds * 1000) } : {})
      })
    } catch (err) {
      throw asHttpError(err)
    }
    const completion = handle.done.then(
      async (r) => await this.deliver(r, action),
      (err: unknown): HookCompletion => ({
        status: 'error',
        replyDisposition: 'empty',
        delivered: false,
        deliveryAttempted: false,
        deliverySuppressionReason: 'run-failed',
        error: (err as Error).message,
        errorCode: isAgentError(err) ? err.code : 'RUN_FAILED'
      })
    )
    const admitted: Admitted = { runId: handle.runId, at: this.app.gateway.now(), completion }
    if (action.idempotencyKey !== undefined) this.remember(action.idempotencyKey, admitted)
    return admitted
  }

  /** The hook's reply goes to the agent's main session as a system event (this gateway has no channels). */
  private async deliver (r: RunResult, action: HookAgentAction): Promise<HookCompletion> {
    const text = r.text.trim()
    const replyDisposition = text === '' ? 'empty' : SILENT_REPLIES.has(text) ? 'silent' : 'visible'
    const base = { status: r.status, replyDisposition, ...(r.error !== undefined ? { error: r.error.message, errorCode: r.error.code } : {}) } as const
    const suppressed = r.status !== 'ok' ? 'run-failed' : !action.deliver ? 'deliver-false' : replyDisposition !== 'visible' ? `${replyDisposition}-reply` : undefined
    if (suppressed !== undefined) return { ...base, delivered: false, deliveryAttempted: false, deliverySuppressionReason: suppressed }
    const preview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text
    try {
      await this.app.systemEvents.wake({ mode: action.wakeMode, text: `Hook ${action.name}: ${preview}`, agentId: r.agentId })
      return { ...base, delivered: true, deliveryAttempted: true }
    } catch (err) {
      this.log.warn({ runId: r.runId, err: (err as Error).message }, 'hook reply could not be delivered')
      return { ...base, delivered: false, deliveryAttempted: true, deliveryError: 'delivery-failed' }
    }
  }

  private resolveAgent (hooks: HooksConfig, agentId: string | undefined): string {
    let id: string
    try {
      id = this.app.agents.resolveAgent(agentId).id
    } catch (err) {
      throw asHttpError(err)
    }
    checkAgentAllowed(hooks, id)
    return id
  }

  private remember (key: string, admitted: Admitted): void {
    this.admitted.set(key, admitted)
    if (this.admitted.size <= IDEMPOTENCY_MAX) return
    // Insertion order: the first key is the oldest.
    this.admitted.delete(this.admitted.keys().next().value!)
  }
}

/** Engine refusals: the caller's mistakes are 400, the rest 503. */
function asHttpError (err: unknown): Error {
  if (!isAgentError(err)) return err as Error
  switch (err.code) {
    case 'AGENT_UNKNOWN': case 'MESSAGE_EMPTY': case 'MODEL_UNKNOWN':
      return new ERR_INVALID_REQUEST(err.message)
    default:
      return new ERR_UNAVAILABLE(err.message)
  }
}
