// A non-streamed Chat Completions answer → the neutral events its stream
// would have produced: text, tool calls (start + whole arguments), usage, done.

import { errorFromPayload, invalidResponse, readErrorPayload, type ErrorContext } from '../classify.js'
import type { StreamEvent } from '../types.js'
import { readOpenAiUsage, STOP_REASONS } from './decoder.js'

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined)

export function decodeCompletionsJson (json: unknown, ctx: ErrorContext): StreamEvent[] {
  const root = asObj(json)
  if (root?.error !== undefined && root.error !== null) throw errorFromPayload(ctx, readErrorPayload(root))
  const choice = Array.isArray(root?.choices) ? asObj(root.choices[0]) : undefined
  const message = asObj(choice?.message)
  if (message === undefined) throw invalidResponse(ctx, 'chat completion without choices[0].message', JSON.stringify(json).slice(0, 500))
  const out: StreamEvent[] = []
  if (typeof message.content === 'string' && message.content !== '') out.push({ type: 'text-delta', text: message.content })
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : []
  calls.forEach((raw, index) => {
    const call = asObj(raw) ?? {}
    const fn = asObj(call.function) ?? {}
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`
    out.push({ type: 'tool-call-start', index, id, name: typeof fn.name === 'string' ? fn.name : '' })
    if (typeof fn.arguments === 'string' && fn.arguments !== '') out.push({ type: 'tool-call-delta', index, argumentsDelta: fn.arguments })
  })
  const usage = readOpenAiUsage(root?.usage)
  if (usage !== undefined) out.push({ type: 'usage', usage })
  const finish = typeof choice?.finish_reason === 'string' ? STOP_REASONS[choice.finish_reason] ?? 'stop' : 'stop'
  // Some compatible servers report "stop" even though the turn ended in tool calls.
  out.push({ type: 'done', stopReason: finish === 'stop' && calls.length > 0 ? 'tool_calls' : finish })
  return out
}
