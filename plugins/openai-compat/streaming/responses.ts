// A run as Responses API events (clients.md 2.4, contract 3.5): created →
// in_progress → output items (text deltas, then function calls) → completed |
// incomplete | failed, each `event:` + `data:` (the stream adds [DONE]).
import type { RunResult } from '../../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from '../errors.js'
import type { ResponseObject } from '../../../schemas/openai.js'
import { itemId } from '../response-items.js'
import { completionOf, functionCallItem, messageItem, snapshot, type OutputItem, type ResponseMeta } from '../responses-build.js'
import { fragments } from '../turns.js'
import type { StreamFormat } from './format.js'

const textPart = (t: string) => ({ type: 'output_text', text: t, annotations: [] })

export function responseEvents (meta: ResponseMeta): ResponseEvents {
  return new ResponseEvents(meta)
}

export class ResponseEvents implements StreamFormat {
  readonly opening: string
  readonly terminator = 'data: [DONE]\n\n'
  /** The response as the stream's last event told it, to store. */
  final: ResponseObject | undefined
  private seq = 0
  private readonly output: OutputItem[] = []
  private readonly messageId: string
  private text = ''
  private messageOpen = false
  /** Where the message's text part is, for its events. */
  private readonly at: { item_id: string, output_index: number, content_index: number }
  private readonly deltaHead: string

  constructor (private readonly meta: ResponseMeta) {
    this.messageId = itemId(meta.id, 'msg', 'o', 0)
    this.at = { item_id: this.messageId, output_index: 0, content_index: 0 }
    this.deltaHead = `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"${this.messageId}","output_index":0,"content_index":0,"delta":`
    this.opening = this.event('response.created', { response: snapshot(meta, { status: 'in_progress' }) }) +
      this.event('response.in_progress', { response: snapshot(meta, { status: 'in_progress' }) })
  }

  delta (delta: string): string {
    const open = this.openMessage()
    this.text += delta
    return `${open}${this.deltaHead}${JSON.stringify(delta)},"logprobs":[],"sequence_number":${this.seq++}}\n\n`
  }

  ok (result: RunResult): string {
    const { status, reason } = completionOf(result)
    const closing = this.closeMessage(status === 'completed' ? 'completed' : 'incomplete') + this.calls(result)
    const type = status === 'completed' ? 'response.completed' : 'response.incomplete'
    this.final = snapshot(this.meta, { status, output: this.output, result, incompleteReason: reason })
    return closing + this.event(type, { response: this.final })
  }

  failed (result: RunResult): string {
    const closing = this.closeMessage('incomplete')
    const failure = toOpenAiFailure(fromRunResult(result)).body.error
    const error = { code: failure.code ?? 'server_error', message: failure.message }
    this.final = snapshot(this.meta, { status: 'failed', output: this.output, result, error })
    return closing + this.event('response.failed', { response: this.final })
  }

  private event (type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: this.seq++ })}\n\n`
  }

  private openMessage (): string {
    if (this.messageOpen) return ''
    this.messageOpen = true
    return this.event('response.output_item.added', { output_index: 0, item: messageItem(this.messageId, '', 'in_progress') }) +
      this.event('response.content_part.added', { ...this.at, part: textPart('') })
  }

  private closeMessage (status: 'completed' | 'incomplete'): string {
    if (!this.messageOpen) return ''
    const text = this.event('response.output_text.done', { ...this.at, text: this.text, logprobs: [] }) +
      this.event('response.content_part.done', { ...this.at, part: textPart(this.text) })
    const item = messageItem(this.messageId, this.text, status)
    this.output.push(item)
    return text + this.event('response.output_item.done', { output_index: 0, item })
  }

  private calls (result: RunResult): string {
    let text = ''
    for (const call of result.toolCalls) {
      const outputIndex = this.output.length
      const item = functionCallItem(itemId(this.meta.id, 'fc', 'o', outputIndex), call, 'in_progress', '')
      text += this.event('response.output_item.added', { output_index: outputIndex, item })
      for (const part of call.arguments === '' ? [] : fragments(call.arguments)) {
        text += this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: part })
      }
      text += this.event('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: call.arguments })
      const done = { ...item, arguments: call.arguments, status: 'completed' as const }
      this.output.push(done)
      text += this.event('response.output_item.done', { output_index: outputIndex, item: done })
    }
    return text
  }
}
