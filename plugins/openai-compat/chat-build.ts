// What the `chat.completion` answer and its streamed chunks share (clients.md 2.3).
import type { RunResult } from '../../src/agents/types.js'

/** The fields every chunk of one completion repeats. */
export interface ChatMeta {
  id: string
  created: number
  model: string
  includeUsage: boolean
}

/** finish_reason for a finished run (pending client tool calls win). */
export function finishReasonOf (result: RunResult): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  if (result.toolCalls.length > 0) return 'tool_calls'
  if (result.stopReason === 'length' || result.stopReason === 'content_filter') return result.stopReason
  return 'stop'
}

export function usageOf (result: RunResult) {
  const u = result.usage
  return { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.totalTokens }
}
