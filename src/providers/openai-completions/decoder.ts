// Chat Completions chunks → neutral stream events. Usage arrives in a final chunk with no choices
// (stream_options.include_usage), after finish_reason, so `done` waits for `[DONE]` or the body end.

import type { StreamDecoder } from '../adapter.js'
import { errorFromPayload, invalidResponse, parseStreamJson, readErrorPayload, type ErrorContext } from '../classify.js'
import type { SseEvent } from '../sse.js'
import type { StopReason, StreamEvent, Usage } from '../types.js'

export const STOP_REASONS: Record<string, StopReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter'
}

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined)
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

export function readOpenAiUsage (raw: unknown): Usage | undefined {
  const usage = asObj(raw)
  if (!usage) return undefined
  const inputTokens = num(usage.prompt_tokens ?? usage.input_tokens)
  const outputTokens = num(usage.completion_tokens ?? usage.output_tokens)
  const total = num(usage.total_tokens)
  return { inputTokens, outputTokens, totalTokens: total || inputTokens + outputTokens }
}

export function createCompletionsDecoder (ctx: ErrorContext): StreamDecoder {
  let stopReason: StopReason | undefined
  let usage: Usage | undefined
  // wire tool index → { our index, id } ; servers that reuse index 0 for every call get a new slot per id
  const slots = new Map<number, { index: number, id: string }>()
  let nextIndex = 0
  let lastWireIndex = 0

  function toolEvents (rawCalls: unknown[], out: StreamEvent[]): void {
    for (const raw of rawCalls) {
      const call = asObj(raw)
      if (!call) continue
      const fn = asObj(call.function) ?? {}
      const wireIndex = typeof call.index === 'number' ? call.index : lastWireIndex
      lastWireIndex = wireIndex
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined
      let slot = slots.get(wireIndex)
      if (!slot || (id !== undefined && id !== slot.id)) {
        const index = nextIndex++
        slot = { index, id: id ?? `call_${index}` }
        slots.set(wireIndex, slot)
        out.push({ type: 'tool-call-start', index: slot.index, id: slot.id, name: typeof fn.name === 'string' ? fn.name : '' })
      }
      if (typeof fn.arguments === 'string' && fn.arguments !== '') {
        out.push({ type: 'tool-call-delta', index: slot.index, argumentsDelta: fn.arguments })
      }
    }
  }

  function finish (): StreamEvent[] {
    decoder.finished = true
    const out: StreamEvent[] = []
    if (usage) out.push({ type: 'usage', usage })
    let reason = stopReason ?? 'stop'
    // Some compatible servers report "stop" even though the turn ended in tool calls.
    if (reason === 'stop' && nextIndex > 0) reason = 'tool_calls'
    out.push({ type: 'done', stopReason: reason })
    return out
  }

  // `finished` is a plain property, set when it changes: an accessor in an
  // object literal made each decoder cost ~0.5 µs to create (measured).
  const decoder: StreamDecoder & { finished: boolean } = {
    finished: false,
    push (event: SseEvent): StreamEvent[] {
      if (event.data.trim() === '[DONE]') return finish()
      const chunk = parseStreamJson(ctx, event.data)
      if (chunk.error !== undefined) throw errorFromPayload(ctx, readErrorPayload(chunk))
      if (chunk.usage) usage = readOpenAiUsage(chunk.usage) ?? usage
      const out: StreamEvent[] = []
      const choice = Array.isArray(chunk.choices) ? asObj(chunk.choices[0]) : undefined
      if (!choice) return out
      const delta = asObj(choice.delta) ?? {}
      if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text-delta', text: delta.content })
      if (Array.isArray(delta.tool_calls)) toolEvents(delta.tool_calls, out)
      if (typeof choice.finish_reason === 'string') stopReason = STOP_REASONS[choice.finish_reason] ?? 'stop'
      return out
    },
    end (): StreamEvent[] {
      // Tolerate servers that omit `[DONE]`, but only once they said why the turn ended.
      if (stopReason !== undefined) return finish()
      throw invalidResponse(ctx, 'event stream ended before a finish_reason')
    }
  }
  return decoder
}
