// Streams one run as `chat.completion.chunk` events (clients.md 2.3): a role
// chunk, content deltas as the run emits them, tool-call deltas with `index`,
// the finish reason, an optional usage chunk, then `data: [DONE]`.
import type { FastifyReply } from 'fastify'
import type { RunResult, ToolCall } from '../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from './errors.js'
import type { BridgedRun } from './run-bridge.js'
import { RunStream } from './run-stream.js'
import type { KeepAlive } from './sse-writer.js'
import { fragments } from './turns.js'

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

/**
 * Chunk text is assembled from a precomputed head: the id, created and model
 * are the same on every chunk, and only the choice changes.
 */
class ChatStream extends RunStream {
  private readonly head: string

  constructor (reply: FastifyReply, run: BridgedRun, private readonly meta: ChatMeta, keepAlive: KeepAlive) {
    super(reply, run, keepAlive)
    this.head = `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[`
  }

  onCommit (): void { this.sse.write(this.choice('{"role":"assistant","content":""}')) }

  protected delta (text: string): void { this.sse.write(this.choice(`{"content":${JSON.stringify(text)}}`)) }

  protected ok (result: RunResult): void {
    this.toolCalls(result.toolCalls)
    this.sse.write(this.choice('{}', finishReasonOf(result)))
    if (this.meta.includeUsage) this.sse.write(`${this.head}],"usage":${JSON.stringify(usageOf(result))}}\n\n`)
  }

  protected failed (result: RunResult): void {
    // clients.md 1.5 #12: a mid-stream failure is a final error chunk.
    this.sse.write(`data: ${JSON.stringify(toOpenAiFailure(fromRunResult(result)).body)}\n\n`)
  }

  private choice (delta: string, finish: string | null = null): string {
    return `${this.head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`
  }

  private toolCalls (calls: readonly ToolCall[]): void {
    calls.forEach((call, index) => {
      const open = { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }
      this.sse.write(this.choice(JSON.stringify(open)))
      if (call.arguments === '') return
      for (const part of fragments(call.arguments)) {
        this.sse.write(this.choice(JSON.stringify({ tool_calls: [{ index, function: { arguments: part } }] })))
      }
    })
  }
}

/** Resolves when the stream is finished; rejects (nothing written yet) when the run failed before any output. */
export function streamChat (reply: FastifyReply, run: BridgedRun, meta: ChatMeta, keepAlive: KeepAlive): Promise<RunResult | undefined> {
  return new ChatStream(reply, run, meta, keepAlive).done
}
