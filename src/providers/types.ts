// The provider-neutral contract between the gateway core and model APIs.
// Core code talks only in these shapes; each wire API lives behind an ApiSpec (see registry.ts).

import type { AbortLike } from '../cancel.js'
import type { Preencoded } from './preencoded.js'

export type ContentPart =
  | { type: 'text', text: string }
  | { type: 'image', mimeType: string, data: string /* base64 */ }
  | { type: 'image', url: string }

export type ToolCall = { id: string, name: string, arguments: string /* JSON text */ }

export type ChatMessage =
  | { role: 'system', content: string }
  | { role: 'user', content: string | ContentPart[] }
  | { role: 'assistant', content: string, toolCalls?: ToolCall[] }
  | { role: 'tool', toolCallId: string, name: string, content: string, isError?: boolean }

export type ToolSpec = { name: string, description?: string, parameters: Record<string, unknown> }

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** Sampling settings a caller may pass through to the model. */
export interface Sampling {
  maxTokens?: number
  temperature?: number
  topP?: number
  stop?: string[]
  seed?: number
  frequencyPenalty?: number
  presencePenalty?: number
  /** OpenAI chat `response_format` shape; translated where the API has an equivalent. */
  responseFormat?: unknown
}

export interface ModelRequest extends Sampling {
  model: string
  /**
   * The system prompt, sent before `messages`. The engine's is Preencoded
   * (one object while the agent's prompt stays the same), and so is its tool
   * list: an adapter then encodes their wire form once.
   */
  system?: string | Preencoded<string>
  messages: ChatMessage[]
  tools?: readonly ToolSpec[] | Preencoded<readonly ToolSpec[]>
  toolChoice?: ToolChoice
  /**
   * false asks the upstream for one JSON answer instead of an event stream:
   * cheaper on both ends when nobody consumes deltas. The events the adapter
   * hands out are the same either way (all at once, at the end). Default true.
   */
  stream?: boolean
  /** An AbortSignal, or the engine's cheaper equivalent (which also carries the run's deadline). */
  signal?: AbortLike
}

export type Usage = { inputTokens: number, outputTokens: number, totalTokens: number }

export type StopReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

export type StreamEvent =
  | { type: 'text-delta', text: string }
  | { type: 'tool-call-start', index: number, id: string, name: string }
  | { type: 'tool-call-delta', index: number, argumentsDelta: string }
  | { type: 'usage', usage: Usage }
  | { type: 'done', stopReason: StopReason }

export interface EmbedRequest {
  model: string
  input: string[]
  dimensions?: number
  signal?: AbortSignal
}

export interface EmbedResult {
  embeddings: number[][]
  usage: { promptTokens: number, totalTokens: number }
}

export interface ProviderAdapter {
  readonly id: string
  readonly api: ProviderApi
  /**
   * One model call. Each upstream read's events are handed to `onEvents`
   * synchronously, in order (a non-streamed call hands them all at once);
   * resolves after the terminal event, rejects with a ProviderError.
   */
  streamTo(req: ModelRequest, onEvents: (events: StreamEvent[]) => void): Promise<void>
  /** Present only for APIs with an embeddings endpoint. */
  embed?(req: EmbedRequest): Promise<EmbedResult>
  /** Releases the connection pool; in-flight streams are allowed to finish. */
  close(): Promise<void>
}

export type ProviderApi = 'openai-completions' | 'openai-responses' | 'anthropic-messages'

export interface ProviderModelConfig {
  id: string
  name?: string
  contextWindow?: number
  maxTokens?: number
  input?: string[]
}

export interface ProviderConfig {
  baseUrl: string
  api: ProviderApi
  headers?: Record<string, string>
  models?: ProviderModelConfig[]
}

export interface ProviderLogger {
  debug(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  /** pino's: lets per-call debug lines skip building their fields when debug is off. */
  isLevelEnabled?(level: string): boolean
}

export interface ProviderDeps {
  /** Resolved secret; read per request because a secrets reload may change it. */
  getApiKey: () => string | undefined
  logger?: ProviderLogger
}
