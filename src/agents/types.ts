// The engine's public shapes: what a caller asks for, what it hears while the
// run goes, and what it gets at the end.
import type { ChatMessage, ContentPart, Sampling, ToolCall, ToolChoice, ToolSpec, Usage, StopReason } from '../providers/index.js'
import type { SessionEntry, TranscriptMessage } from '../sessions/index.js'
import type { AgentError } from '../errors/agents.js'

export type RunSource = 'agent' | 'chat' | 'openai' | 'responses' | 'anthropic' | 'hook' | 'heartbeat' | 'channel'

export type { Sampling }

export interface RunRequest {
  /** Defaults to a fresh uuid; WS callers pass their idempotency key. */
  runId?: string
  agentId?: string
  sessionKey?: string
  source: RunSource
  /** What is new in this turn: usually one user message, or tool results from an HTTP client. */
  input: ChatMessage[]
  /** Prior conversation supplied by the caller; when absent the session transcript is the history. */
  context?: ChatMessage[]
  /** false: nothing is written to the transcript (stateless OpenAI requests). */
  persist?: boolean
  /**
   * false: the caller takes the answer whole (a non-streamed HTTP reply). The
   * model is then asked for a whole answer too, unless a WS client is
   * listening to run events at the start of a step. Default true.
   */
  deltas?: boolean
  extraSystemPrompt?: string
  /** The channel the message came in on (HTTP: `x-openclaw-message-channel`, default `webchat`); recorded with it. */
  channel?: string
  /** `provider/model`, an alias or a bare id; replaces the agent's model chain. */
  modelOverride?: string
  /** Tools the caller executes itself: a call to one ends the run with `toolCalls`. */
  clientTools?: ToolSpec[]
  toolChoice?: ToolChoice
  sampling?: Sampling
  timeoutMs?: number
  /** Abort from the caller (HTTP client disconnect). */
  signal?: AbortSignal
  /**
   * Holds the turn's transcript lines and bus events until the run ends, then
   * keeps them only when this says so (a heartbeat that only acknowledges is pruned).
   */
  keepTurn?: (result: RunResult) => boolean
}

export type RunStatus = 'ok' | 'error' | 'aborted' | 'timeout'

export interface RunResult {
  runId: string
  sessionKey: string
  agentId: string
  status: RunStatus
  text: string
  /** Pending calls of client tools (OpenAI compat), when the run stopped for them. */
  toolCalls: ToolCall[]
  stopReason: StopReason | 'aborted' | 'error'
  usage: Usage
  provider?: string
  model?: string
  startedAt: number
  endedAt: number
  error?: AgentError
  /** The turn was held and then dropped (`keepTurn`): nothing of it is on disk or went out on the bus. */
  pruned?: boolean
}

export type RunEvent =
  | { type: 'start', startedAt: number }
  | { type: 'delta', delta: string, text: string }
  | { type: 'tool-start', toolCallId: string, name: string, args: unknown }
  | { type: 'tool-result', toolCallId: string, name: string, result: string, isError: boolean }
  | { type: 'failover', from: string, to: string, reason: string, attempt: number }
  | { type: 'retry', target: string, attempt: number, maxAttempts: number, reason: string, delayMs: number }
  /** Messages of the run now on disk, with the session entry after the append. */
  | { type: 'message', messages: readonly TranscriptMessage[], entry: SessionEntry }
  | { type: 'end', result: RunResult }

export type RunListener = (event: RunEvent) => void

export type { ChatMessage, ContentPart, ToolCall, ToolSpec, ToolChoice, Usage }
