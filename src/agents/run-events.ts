// Maps one run's events onto the WS bus: `agent` events (lifecycle,
// assistant, tool for `tool-events` clients), `chat` events (delta, final,
// error, aborted), `session.message` per message on disk and `sessions.changed`
// when the run starts and ends, in protocol v4 shapes. Deltas are coalesced so
// a fast model does not flood every client with one frame per token.
import type { SessionEntry, TranscriptMessage } from '../sessions/index.js'
import { sessionMessagePayload, sessionsChangedPayload } from './session-rows.js'
import type { RunEvent, RunResult } from './types.js'

export interface PublishOptions { sessionKey?: string, requireCap?: string, dropIfSlow?: boolean, scope?: string }
export type Publish = (event: string, payload: unknown, opts?: PublishOptions) => void
/** Whether anyone would receive run events now; when not, a run skips building them. */
export type Listening = () => boolean

const COALESCE_MS = 50

export function createRunPublisher (publish: Publish, listening: Listening, ids: { runId: string, sessionKey: string, agentId: string }, now: () => number): (e: RunEvent) => void {
  let agentSeq = 0
  let chatSeq = 0
  let pendingDelta = ''
  let cumulative = ''
  let timer: NodeJS.Timeout | undefined
  const base = { runId: ids.runId, sessionKey: ids.sessionKey, agentId: ids.agentId }
  const opts = { sessionKey: ids.sessionKey }
  const agent = (stream: string, data: Record<string, unknown>, extra: PublishOptions = {}) =>
    publish('agent', { ...base, seq: ++agentSeq, stream, ts: now(), data }, { ...opts, ...extra })
  const chat = (payload: Record<string, unknown>) => publish('chat', { ...base, seq: ++chatSeq, ...payload }, opts)
  const message = (text: string) => ({ role: 'assistant', content: [{ type: 'text', text }], timestamp: now() })
  // The session as the last append left it: the rows in session.message and sessions.changed.
  let entry: SessionEntry | undefined
  const sessionsChanged = (reason: string, running: boolean) => {
    publish('sessions.changed', sessionsChangedPayload(reason, ids.sessionKey, entry, running ? [ids.runId] : [], now()), opts)
  }
  const sessionMessages = (records: readonly TranscriptMessage[], at: SessionEntry) => {
    const first = at.messageCount - records.length + 1
    records.forEach((r, i) => { publish('session.message', sessionMessagePayload(r, first + i, at, [ids.runId]), opts) })
  }

  const flush = () => {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined }
    if (pendingDelta === '') return
    const delta = pendingDelta
    pendingDelta = ''
    agent('assistant', { text: cumulative, delta })
    chat({ state: 'delta', deltaText: delta, message: message(cumulative) })
  }

  return (e) => {
    if (e.type === 'message') entry = e.entry
    // Nobody to tell: skip building payloads (the cumulative text stays current for later deltas).
    if (!listening()) {
      if (e.type === 'delta') cumulative = e.text
      return
    }
    switch (e.type) {
      case 'message':
        sessionMessages(e.messages, e.entry)
        break
      case 'start':
        agent('lifecycle', { phase: 'start', startedAt: e.startedAt })
        if (entry !== undefined) sessionsChanged('agent.run.started', true)
        break
      case 'delta':
        pendingDelta += e.delta
        cumulative = e.text
        timer ??= setTimeout(flush, COALESCE_MS)
        break
      case 'tool-start':
        flush()
        agent('tool', { phase: 'start', name: e.name, toolCallId: e.toolCallId, args: e.args }, { requireCap: 'tool-events' })
        break
      case 'tool-result':
        agent('tool', { phase: 'result', name: e.name, toolCallId: e.toolCallId, isError: e.isError, result: e.result }, { requireCap: 'tool-events' })
        break
      case 'retry':
        agent('run_status', { phase: 'retry', target: e.target, attempt: e.attempt, maxAttempts: e.maxAttempts, reason: e.reason, delayMs: e.delayMs })
        if (e.reason === 'rate_limit') chat({ state: 'status', phase: 'starting_model', retry: { attempt: e.attempt, maxAttempts: e.maxAttempts, reason: 'rate_limit' } })
        break
      case 'failover':
        agent('run_status', { phase: 'failover', from: e.from, to: e.to, reason: e.reason })
        break
      case 'end':
        flush()
        finish(e.result)
        // Ephemeral runs (nothing on disk) have no session row to refresh.
        if (entry !== undefined) sessionsChanged('agent.run.finished', false)
        break
    }
  }

  function finish (r: RunResult) {
    const usage = { input: r.usage.inputTokens, output: r.usage.outputTokens, total: r.usage.totalTokens }
    if (r.status === 'ok') {
      agent('lifecycle', { phase: 'end', startedAt: r.startedAt, endedAt: r.endedAt, stopReason: r.stopReason })
      chat({ state: 'final', message: message(r.text), usage, stopReason: r.stopReason })
    } else if (r.status === 'aborted') {
      agent('lifecycle', { phase: 'end', startedAt: r.startedAt, endedAt: r.endedAt, aborted: true })
      chat({ state: 'aborted', message: message(r.text), stopReason: 'aborted' })
    } else {
      const err = r.error
      agent('lifecycle', { phase: 'error', startedAt: r.startedAt, endedAt: r.endedAt, error: err?.message ?? 'run failed' })
      chat({
        state: 'error',
        message: message(r.text),
        errorMessage: err?.message ?? 'run failed',
        errorKind: r.status === 'timeout' ? 'timeout' : (err?.errorKind ?? 'unknown'),
        ...(err?.details !== undefined ? { errorDetail: err.details } : {})
      })
    }
  }
}
