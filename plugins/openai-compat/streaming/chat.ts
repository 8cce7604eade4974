// A run as `chat.completion.chunk` events (clients.md 2.3): a role chunk,
// content deltas as the run emits them, tool-call deltas with `index`, the
// finish reason, an optional usage chunk (the stream adds `data: [DONE]`).
import type { RunResult, ToolCall } from '../../../src/agents/types.js'
import { finishReasonOf, usageOf, type ChatMeta } from '../chat-build.js'
import { fromRunResult, toOpenAiFailure } from '../errors.js'
import { fragments } from '../turns.js'
import type { StreamFormat } from './format.js'

export function chatChunks (meta: ChatMeta): StreamFormat {
  return new ChatChunks(meta)
}

/**
 * Chunk text is assembled from a precomputed head: the id, created and model
 * are the same on every chunk, and only the choice changes.
 */
class ChatChunks implements StreamFormat {
  readonly opening: string
  readonly terminator = 'data: [DONE]\n\n'
  private readonly head: string

  constructor (private readonly meta: ChatMeta) {
    this.head = `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[`
    this.opening = this.choice('{"role":"assistant","content":""}')
  }

  delta (text: string): string { return this.choice(`{"content":${JSON.stringify(text)}}`) }

  ok (result: RunResult): string {
    let text = this.toolCalls(result.toolCalls) + this.choice('{}', finishReasonOf(result))
    if (this.meta.includeUsage) text += `${this.head}],"usage":${JSON.stringify(usageOf(result))}}\n\n`
    return text
  }

  failed (result: RunResult): string {
    // clients.md 1.5 #12: a mid-stream failure is a final error chunk.
    return `data: ${JSON.stringify(toOpenAiFailure(fromRunResult(result)).body)}\n\n`
  }

  private choice (delta: string, finish: string | null = null): string {
    return `${this.head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`
  }

  private toolCalls (calls: readonly ToolCall[]): string {
    let text = ''
    calls.forEach((call, index) => {
      const open = { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }
      text += this.choice(JSON.stringify(open))
      if (call.arguments === '') return
      for (const part of fragments(call.arguments)) {
        text += this.choice(JSON.stringify({ tool_calls: [{ index, function: { arguments: part } }] }))
      }
    })
    return text
  }
}
