// The Anthropic `message` answer of a finished run, shared by the JSON reply
// and the stream's closing events.
import type { RunResult, ToolCall } from '../../../src/agents/types.js'
import type { MessageResponse, OutBlock, StopReason } from '../../../schemas/anthropic.js'

export interface MessageMeta { id: string, model: string }

/** Pending client tool calls win; a length stop is max_tokens. A stop sequence is reported as end_turn (the providers do not say which). */
export function stopReasonOf (result: RunResult): StopReason {
  if (result.toolCalls.length > 0) return 'tool_use'
  if (result.stopReason === 'length') return 'max_tokens'
  if (result.stopReason === 'content_filter') return 'refusal'
  return 'end_turn'
}

/** Tool arguments arrive as JSON text; Anthropic's `input` is an object. */
export function toolInput (call: ToolCall): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(call.arguments === '' ? '{}' : call.arguments)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

export function messageOf (meta: MessageMeta, result: RunResult): MessageResponse {
  const content: OutBlock[] = []
  if (result.text !== '') content.push({ type: 'text', text: result.text })
  for (const call of result.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call) })
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: stopReasonOf(result),
    stop_sequence: null,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens }
  }
}
