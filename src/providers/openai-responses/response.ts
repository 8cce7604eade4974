// A non-streamed Responses API answer → the neutral events its stream would
// have produced: output items in order (text, function calls with their whole
// arguments), then usage and done.

import { errorFromPayload, invalidResponse, readErrorPayload, type ErrorContext } from '../classify.js'
import type { StopReason, StreamEvent } from '../types.js'
import { closingEvents, failedError, incompleteReason } from './decoder.js'

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Text of one message content part; a refusal streams as text too. */
function partText (raw: unknown): string {
  const part = asObj(raw)
  if (part?.type === 'output_text') return str(part.text)
  if (part?.type === 'refusal') return str(part.refusal)
  return ''
}

export function decodeResponsesJson (json: unknown, ctx: ErrorContext): StreamEvent[] {
  const root = asObj(json)
  if (root === undefined) throw invalidResponse(ctx, 'response is not an object', JSON.stringify(json).slice(0, 500))
  if (root.status === 'failed') throw failedError(ctx, root)
  // A completed response carries `error: null`; anything else there is an error payload.
  if (root.error !== undefined && root.error !== null) throw errorFromPayload(ctx, readErrorPayload(root))
  if (!Array.isArray(root.output)) throw invalidResponse(ctx, 'response without an output array', JSON.stringify(json).slice(0, 500))
  // Only the terminal states of a stream have an equivalent here (not queued, in_progress, cancelled).
  let reason: StopReason = 'stop'
  if (root.status === 'incomplete') reason = incompleteReason(root)
  else if (root.status !== 'completed' && root.status !== undefined) {
    throw invalidResponse(ctx, `response status ${JSON.stringify(root.status)}`, JSON.stringify(json).slice(0, 500))
  }

  const out: StreamEvent[] = []
  let calls = 0
  for (const raw of root.output) {
    const item = asObj(raw)
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        const text = partText(part)
        if (text !== '') out.push({ type: 'text-delta', text })
      }
    } else if (item?.type === 'function_call') {
      const index = calls++
      out.push({ type: 'tool-call-start', index, id: str(item.call_id) || str(item.id), name: str(item.name) })
      if (str(item.arguments) !== '') out.push({ type: 'tool-call-delta', index, argumentsDelta: str(item.arguments) })
    }
    // reasoning and built-in tool items have no neutral event, as in the stream
  }
  out.push(...closingEvents(root, reason, calls > 0))
  return out
}
