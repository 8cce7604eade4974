// Streams one run as `chat.completion.chunk` events (clients.md 2.3): a role
// chunk, content deltas as the run emits them, tool-call deltas with `index`,
// the finish reason, an optional usage chunk, then `data: [DONE]`.
import type { FastifyReply } from 'fastify'
import type { RunResult, ToolCall } from '../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from './errors.js'
import type { BridgedRun } from './run-bridge.js'
import { streamRun } from './run-stream.js'
import { SseWriter, type KeepAlive } from './sse-writer.js'
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
function chunkWriter (meta: ChatMeta) {
  const head = `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[`
  return {
    choice: (delta: string, finish: string | null = null) =>
      `${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`,
    usage: (result: RunResult) => `${head}],"usage":${JSON.stringify(usageOf(result))}}\n\n`
  }
}

function toolCallChunks (calls: readonly ToolCall[], choice: (delta: string) => string): string[] {
  const out: string[] = []
  calls.forEach((call, index) => {
    const open = { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }
    out.push(choice(JSON.stringify(open)))
    if (call.arguments === '') return
    for (const part of fragments(call.arguments)) {
      out.push(choice(JSON.stringify({ tool_calls: [{ index, function: { arguments: part } }] })))
    }
  })
  return out
}

/** Resolves when the stream is finished; rejects (nothing written yet) when the run failed before any output. */
export function streamChat (reply: FastifyReply, run: BridgedRun, meta: ChatMeta, keepAlive: KeepAlive): Promise<void> {
  const chunks = chunkWriter(meta)
  const sse = new SseWriter(reply, {
    onCommit: () => { sse.write(chunks.choice('{"role":"assistant","content":""}')) },
    onOverflow: () => { run.abort('client is not reading the stream') }
  }, keepAlive)
  return streamRun(reply, run, sse, {
    delta: (text) => { sse.write(chunks.choice(`{"content":${JSON.stringify(text)}}`)) },
    ok: (result) => {
      for (const c of toolCallChunks(result.toolCalls, chunks.choice)) sse.write(c)
      sse.write(chunks.choice('{}', finishReasonOf(result)))
      if (meta.includeUsage) sse.write(chunks.usage(result))
    },
    failed: (result) => {
      // clients.md 1.5 #12: a mid-stream failure is a final error chunk.
      sse.write(`data: ${JSON.stringify(toOpenAiFailure(fromRunResult(result)).body)}\n\n`)
    }
  }).then(() => {})
}
