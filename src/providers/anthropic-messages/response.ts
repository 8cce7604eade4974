// A non-streamed Messages answer → the neutral events its stream would have
// produced: content blocks in order (text, tool_use with its whole input as
// JSON text), then usage and done.

import { errorFromPayload, invalidResponse, readErrorPayload, type ErrorContext } from '../classify.js'
import type { StreamEvent } from '../types.js'
import { readUsageParts, STOP_REASONS } from './decoder.js'

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

export function decodeMessagesJson (json: unknown, ctx: ErrorContext): StreamEvent[] {
  const root = asObj(json)
  if (root?.type === 'error' || (root?.error !== undefined && root.error !== null)) {
    throw errorFromPayload(ctx, readErrorPayload(root))
  }
  if (!Array.isArray(root?.content)) {
    throw invalidResponse(ctx, 'message without a content array', JSON.stringify(json).slice(0, 500))
  }

  const out: StreamEvent[] = []
  let calls = 0
  for (const raw of root.content) {
    const block = asObj(raw)
    if (block?.type === 'text') {
      if (str(block.text) !== '') out.push({ type: 'text-delta', text: str(block.text) })
    } else if (block?.type === 'tool_use') {
      const index = calls++
      out.push({ type: 'tool-call-start', index, id: str(block.id), name: str(block.name) })
      // The stream sends the input as JSON fragments; whole, it is an object (`{}` when empty).
      const args = block.input === undefined ? '' : JSON.stringify(block.input)
      if (args !== '') out.push({ type: 'tool-call-delta', index, argumentsDelta: args })
    }
    // thinking, redacted_thinking and server tool blocks have no neutral event, as in the stream
  }

  const { input, output } = readUsageParts(root.usage)
  if (input !== undefined || output !== undefined) {
    const usage = { inputTokens: input ?? 0, outputTokens: output ?? 0, totalTokens: (input ?? 0) + (output ?? 0) }
    out.push({ type: 'usage', usage })
  }
  const reason = str(root.stop_reason)
  const stopReason = reason === '' ? (calls > 0 ? 'tool_calls' : 'stop') : STOP_REASONS[reason] ?? 'stop'
  out.push({ type: 'done', stopReason })
  return out
}
