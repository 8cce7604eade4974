// `agent` (two-stage: accepted, then final), `agent.wait` and `wake`.
import type { FastifyInstance } from 'fastify'
import { AgentParams, AgentWaitParams, WakeParams } from '../../../schemas/rpc/agent.js'
import { attachmentLimits, attachmentParts, userContent } from '../../../src/agents/attachments.js'
import { toRpcError, withRpcErrors } from '../../../src/agents/rpc-errors.js'
import type { RunResult } from '../../../src/agents/types.js'
import { RpcError } from '../../../src/errors/index.js'
import type { SystemEvents } from '../../agents/system-events.js'

export function registerRunMethods (app: FastifyInstance, systemEvents: SystemEvents): void {
  app.rpc.register('agent', {
    scope: 'operator.write',
    params: AgentParams,
    idempotent: true,
    handler: async (params, ctx) => {
      let handle
      try {
        const { agent, sessionKey } = app.agents.resolveTarget(params.agentId, params.sessionKey)
        const entry = await app.sessions.get(sessionKey)
        const parts = attachmentParts(params.attachments ?? [], attachmentLimits(app.configStore.config.agents?.defaults?.mediaMaxMb))
        const override = params.model !== undefined
          ? (params.provider !== undefined ? `${params.provider}/${params.model}` : params.model)
          : entry?.model
        handle = app.agents.start({
          runId: params.idempotencyKey,
          agentId: agent.id,
          sessionKey,
          source: 'agent',
          input: [...systemEvents.drain(sessionKey), { role: 'user', content: userContent(params.message, parts) }],
          ...(override !== undefined ? { modelOverride: override } : {}),
          ...(params.extraSystemPrompt !== undefined ? { extraSystemPrompt: params.extraSystemPrompt } : {}),
          ...(params.timeout !== undefined ? { timeoutMs: params.timeout * 1000 } : {})
        })
      } catch (err) {
        throw toRpcError(err, 'agent')
      }
      ctx.ack({ runId: handle.runId, sessionKey: handle.sessionKey, agentId: handle.agentId, status: 'accepted', acceptedAt: handle.acceptedAt })
      const r = await handle.done
      if (r.status !== 'ok') throw runFailure(r)
      return {
        runId: r.runId,
        status: 'ok',
        summary: 'completed',
        result: {
          payloads: r.text === '' ? [] : [{ text: r.text }],
          meta: {
            durationMs: r.endedAt - r.startedAt,
            agentMeta: {
              sessionId: (await app.sessions.get(r.sessionKey))?.sessionId ?? '',
              ...(r.provider !== undefined ? { provider: r.provider, model: r.model } : {}),
              usage: { input: r.usage.inputTokens, output: r.usage.outputTokens, total: r.usage.totalTokens }
            }
          }
        }
      }
    }
  })

  app.rpc.register('agent.wait', {
    scope: 'operator.write',
    params: AgentWaitParams,
    handler: async ({ runId, timeoutMs }, ctx) => {
      const handle = app.agents.get(runId)
      if (handle === undefined) throw new RpcError('INVALID_REQUEST', 'agent run was not found')
      const settled = await waitFor(handle.done, timeoutMs ?? 30_000, ctx.signal)
      if (settled === undefined) return { runId, status: 'timeout' }
      return {
        runId,
        status: settled.status === 'ok' ? 'ok' : 'error',
        startedAt: settled.startedAt,
        endedAt: settled.endedAt,
        ...(settled.error !== undefined ? { error: settled.error.message } : {})
      }
    }
  })

  app.rpc.register('wake', {
    scope: 'operator.write',
    params: WakeParams,
    handler: withRpcErrors('wake', async (params) => {
      return await systemEvents.wake(params)
    })
  })
}

function runFailure (r: RunResult): RpcError {
  const message = r.status === 'aborted' ? 'agent run aborted' : (r.error?.message ?? 'agent run failed')
  return new RpcError('UNAVAILABLE', message, {
    details: { runId: r.runId, status: r.status, code: r.error?.code, errorKind: r.status === 'timeout' ? 'timeout' : r.error?.errorKind },
    ...(r.error?.retryAfterMs !== undefined ? { retryable: true, retryAfterMs: r.error.retryAfterMs } : {})
  })
}

function waitFor<T> (promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (v: T | undefined) => { clearTimeout(timer); signal.removeEventListener('abort', onAbort); resolve(v) }
    const timer = setTimeout(() => { done(undefined) }, ms)
    const onAbort = () => { done(undefined) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(done, () => { done(undefined) })
  })
}
