// The `response` object of the Responses API (clients.md 2.4), built the
// same way for the JSON answer and for the lifecycle events of a stream.
import { randomUUID } from 'node:crypto'
import type { RunResult, ToolCall } from '../../src/agents/types.js'
import type { OutputFunctionCall, OutputMessage, ResponseObject, ResponsesRequest } from '../../schemas/openai.js'
import type { Static } from '@sinclair/typebox'
import { itemId } from './response-items.js'

export type MessageItem = Static<typeof OutputMessage>
export type FunctionCallItem = Static<typeof OutputFunctionCall>
export type OutputItem = MessageItem | FunctionCallItem

/** What every snapshot of one response shares. */
export interface ResponseMeta {
  id: string
  createdAt: number
  model: string
  request: ResponsesRequest
  store: boolean
}

export function newId (prefix: 'resp'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`
}

export function usageOf (result: RunResult): NonNullable<ResponseObject['usage']> {
  const u = result.usage
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.totalTokens
  }
}

/** `length` means the model hit max_output_tokens: the response is incomplete, not failed. */
export function completionOf (result: RunResult): { status: 'completed' | 'incomplete', reason: string | null } {
  if (result.toolCalls.length === 0 && result.stopReason === 'length') return { status: 'incomplete', reason: 'max_output_tokens' }
  if (result.stopReason === 'content_filter') return { status: 'incomplete', reason: 'content_filter' }
  return { status: 'completed', reason: null }
}

export function messageItem (id: string, text: string, status: MessageItem['status']): MessageItem {
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' && text === '' ? [] : [{ type: 'output_text', text, annotations: [] }] }
}

export function functionCallItem (id: string, call: ToolCall, status: FunctionCallItem['status'], args = call.arguments): FunctionCallItem {
  return { type: 'function_call', id, call_id: call.id, name: call.name, arguments: args, status }
}

/** The output of a finished run: its text as one message, then the pending client tool calls. */
export function outputOf (result: RunResult, responseId: string): OutputItem[] {
  const { status } = completionOf(result)
  const items: OutputItem[] = []
  if (result.text !== '') items.push(messageItem(itemId(responseId, 'msg', 'o', 0), result.text, status === 'completed' ? 'completed' : 'incomplete'))
  for (const call of result.toolCalls) items.push(functionCallItem(itemId(responseId, 'fc', 'o', items.length), call, 'completed'))
  return items
}

export function snapshot (meta: ResponseMeta, state: {
  status: ResponseObject['status']
  output?: OutputItem[]
  result?: RunResult
  error?: { code: string, message: string }
  incompleteReason?: string | null
}): ResponseObject {
  const r = meta.request
  const output = state.output ?? []
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: state.status,
    model: meta.model,
    output,
    output_text: output.flatMap((item) => (item.type === 'message' ? item.content.map((c) => c.text) : [])).join(''),
    error: state.error ?? null,
    incomplete_details: state.incompleteReason !== undefined && state.incompleteReason !== null ? { reason: state.incompleteReason } : null,
    instructions: r.instructions ?? null,
    metadata: r.metadata ?? {},
    parallel_tool_calls: true,
    temperature: r.temperature ?? null,
    top_p: r.top_p ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    previous_response_id: r.previous_response_id ?? null,
    store: meta.store,
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    usage: state.result !== undefined ? usageOf(state.result) : null,
    ...(typeof r.user === 'string' ? { user: r.user } : {})
  }
}
