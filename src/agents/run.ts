// One agent run: model call → tool calls → tool results → model, until a
// final answer, the step cap, the deadline or an abort. Every completed
// message is on disk before the event that announces it.
import type { GatewayConfig } from '../../schemas/config.js'
import type { Cancel } from '../cancel.js'
import { plainValue, type ChatMessage, type ModelRequest, type Preencoded, type ProviderAdapter, type ToolCall, type ToolSpec, type Usage } from '../providers/index.js'
import type { SessionStore, TranscriptMessage } from '../sessions/index.js'
import type { ToolRegistry } from '../tools/index.js'
import type { AgentInfo } from './catalog.js'
import type { BootstrapLoader } from './bootstrap.js'
import type { SystemPrompts } from './system-prompt.js'
import { AgentError } from '../errors/agents.js'
import { callModel, toAgentError, type StepOutput } from './model-call.js'
import type { ModelTarget } from './model-resolver.js'
import { toChatHistory, toTranscript } from './transcript-map.js'
import type { RunEvent, RunRequest, RunResult, Sampling } from './types.js'

export interface RunDeps {
  config: GatewayConfig
  agent: AgentInfo
  chain: readonly ModelTarget[]
  adapterFor: (t: ModelTarget) => ProviderAdapter
  sessions: SessionStore
  tools: ToolRegistry
  /** The agent's tools under this config, Preencoded once per list. */
  agentTools: Preencoded<readonly ToolSpec[]>
  bootstrap: BootstrapLoader
  systemPrompts: SystemPrompts
  now: () => number
  maxSteps: number
  historyLimit: number
  /** Whether anyone outside the caller follows this run's events live (WS clients). */
  listening: () => boolean
}

export interface RunIds { runId: string, sessionKey: string, startedAt: number }

export async function executeRun (req: RunRequest, deps: RunDeps, ids: RunIds, signal: Cancel, emit: (e: RunEvent) => void): Promise<RunResult> {
  if (req.keepTurn === undefined || req.persist === false) return await runTurn(req, deps, ids, signal, emit, undefined)
  // A held turn: its lines go to disk in one append once the reply says it is worth keeping.
  const held: TranscriptMessage[] = []
  const r = await runTurn(req, deps, ids, signal, emit, held)
  if (!req.keepTurn(r)) {
    r.pruned = true
    return r
  }
  if (held.length === 0) return r
  try {
    emit({ type: 'message', messages: held, entry: await deps.sessions.append(ids.sessionKey, held) })
    return r
  } catch (err) {
    return { ...r, status: 'error', stopReason: 'error', error: toAgentError(err) }
  }
}

async function runTurn (req: RunRequest, deps: RunDeps, ids: RunIds, signal: Cancel, emit: (e: RunEvent) => void, held: TranscriptMessage[] | undefined): Promise<RunResult> {
  const { agent, sessions, now } = deps
  const persist = req.persist !== false
  const usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
  let text = ''
  let last: StepOutput | undefined
  // Ephemeral runs write nothing: `record` is then not even awaited (no promise per message).
  const record = async (messages: ChatMessage[], meta: { model?: string, provider?: string, channel?: string } = {}) => {
    if (messages.length === 0) return
    const records = messages.map((m) => toTranscript(m, { runId: ids.runId, now: now(), ...meta }))
    if (held !== undefined) { held.push(...records); return }
    emit({ type: 'message', messages: records, entry: await sessions.append(ids.sessionKey, records) })
  }
  // Built field by field, not from spreads: one result per run, on every request's path.
  const result = (status: RunResult['status'], extra?: Pick<RunResult, 'stopReason'> & Partial<Pick<RunResult, 'toolCalls' | 'error'>>): RunResult => {
    const r: RunResult = {
      runId: ids.runId,
      sessionKey: ids.sessionKey,
      agentId: agent.id,
      status,
      text,
      toolCalls: extra?.toolCalls ?? [],
      stopReason: extra?.stopReason ?? last?.stopReason ?? 'stop',
      usage,
      startedAt: ids.startedAt,
      endedAt: now()
    }
    if (last !== undefined) { r.provider = last.target.providerId; r.model = last.target.model }
    if (extra?.error !== undefined) r.error = extra.error
    return r
  }

  try {
    const history = req.context ?? (persist ? toChatHistory(await sessions.history(ids.sessionKey, { limit: deps.historyLimit }), answeredIn(req.input)) : [])
    if (persist) await record(req.input, req.channel === undefined ? {} : { channel: req.channel })
    emit({ type: 'start', startedAt: ids.startedAt })
    const bootstrap = deps.bootstrap.fresh(agent.workspace) ?? await deps.bootstrap.load(agent.workspace)
    const system = deps.systemPrompts.get(agent.id, agent.name, bootstrap, req.extraSystemPrompt)
    const messages: ChatMessage[] = [...history, ...req.input]
    const clientTools = req.clientTools === undefined || req.clientTools.length === 0 ? NO_NAMES : new Set(req.clientTools.map((t) => t.name))
    // Client tools make a list of this run's own; without them the agent's Preencoded list goes as is.
    const toolSpecs = clientTools.size === 0 ? deps.agentTools : [...deps.agentTools.value.filter((t) => !clientTools.has(t.name)), ...req.clientTools!]

    for (let step = 1; step <= deps.maxSteps; step++) {
      const step0 = text
      last = await callModel({
        chain: deps.chain,
        adapterFor: deps.adapterFor,
        // Deltas nobody reads are not worth a stream: one JSON answer is cheaper on both ends.
        request: modelRequest(req, system, messages, toolSpecs, req.deltas !== false || deps.listening(), signal),
        onDelta: (delta) => {
          text += delta
          emit({ type: 'delta', delta, text })
        },
        emit
      })
      addUsage(usage, last.usage)
      const assistant: ChatMessage = last.toolCalls.length > 0
        ? { role: 'assistant', content: text.slice(step0.length), toolCalls: last.toolCalls }
        : { role: 'assistant', content: text.slice(step0.length) }
      messages.push(assistant)
      if (persist) await record([assistant], { model: last.target.model, provider: last.target.providerId })
      if (last.toolCalls.length === 0) return result('ok')

      const pending: ToolCall[] = last.toolCalls.filter((c) => clientTools.has(c.name))
      if (pending.length > 0) return result('ok', { toolCalls: pending, stopReason: 'tool_calls' })
      for (const call of last.toolCalls) {
        if (signal.aborted) throw signal.reason
        const toolMessage = await runTool(call, deps, ids, signal, emit)
        messages.push(toolMessage)
        if (persist) await record([toolMessage])
        emit({ type: 'tool-result', toolCallId: call.id, name: call.name, result: toolMessage.role === 'tool' ? toolMessage.content : '', isError: toolMessage.role === 'tool' && toolMessage.isError === true })
      }
      // Separate the text of consecutive steps so the cumulative reply reads well.
      if (text !== '' && !text.endsWith('\n')) { text += '\n\n'; emit({ type: 'delta', delta: '\n\n', text }) }
    }
    throw new AgentError('RUN_MAX_STEPS', `run stopped after ${deps.maxSteps} model steps (agents.defaults.maxSteps)`)
  } catch (err) {
    const reason: unknown = signal.aborted ? signal.reason : err
    if (reason instanceof AgentError && reason.code === 'RUN_TIMEOUT') return result('timeout', { stopReason: 'error', error: reason })
    if (signal.aborted) return result('aborted', { stopReason: 'aborted', error: new AgentError('RUN_ABORTED', 'run aborted') })
    return result('error', { stopReason: 'error', error: toAgentError(err) })
  }
}

async function runTool (call: ToolCall, deps: RunDeps, ids: RunIds, cancel: Cancel, emit: (e: RunEvent) => void): Promise<ChatMessage> {
  let args: unknown = call.arguments
  try { args = JSON.parse(call.arguments) } catch { /* the registry reports invalid JSON to the model */ }
  emit({ type: 'tool-start', toolCallId: call.id, name: call.name, args })
  const out = await deps.tools.invoke(call.name, call.arguments, {
    agentId: deps.agent.id,
    sessionKey: ids.sessionKey,
    runId: ids.runId,
    workspace: deps.agent.workspace,
    // Tools hand their signal to fs and child processes, which need a real one.
    signal: cancel.signal,
    sessions: deps.sessions,
    now: deps.now
  }, deps.config, deps.agent.id)
  return { role: 'tool', toolCallId: call.id, name: call.name, content: out.content, ...(out.isError === true ? { isError: true } : {}) }
}

/**
 * One step's model request. Every field is always present (undefined when
 * unset) so every request has the same shape: conditional spreads here made
 * each request a differently shaped object, measurably slower to read in the
 * adapter (µs per request).
 */
function modelRequest (req: RunRequest, system: Preencoded<string>, messages: ChatMessage[], tools: NonNullable<ModelRequest['tools']>, stream: boolean, signal: Cancel): ModelRequest {
  const s = req.sampling ?? NO_SAMPLING
  const withTools = plainValue(tools).length > 0
  return {
    model: '', // set per target by callModel
    system,
    messages,
    tools: withTools ? tools : undefined,
    toolChoice: withTools ? req.toolChoice : undefined,
    maxTokens: s.maxTokens,
    temperature: s.temperature,
    topP: s.topP,
    stop: s.stop,
    seed: s.seed,
    frequencyPenalty: s.frequencyPenalty,
    presencePenalty: s.presencePenalty,
    responseFormat: s.responseFormat,
    stream,
    signal
  }
}

const NO_SAMPLING: Sampling = Object.freeze({})
const NO_NAMES: ReadonlySet<string> = new Set()

/** Tool call ids the current input answers (their results are in it, not in the history). */
function answeredIn (input: ChatMessage[]): string[] {
  return input.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : []))
}

function addUsage (into: Usage, add: Usage): void {
  into.inputTokens += add.inputTokens
  into.outputTokens += add.outputTokens
  into.totalTokens += add.totalTokens
}
