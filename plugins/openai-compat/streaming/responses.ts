// A run as Responses API events (clients.md 2.4, contract 3.5): created →
// in_progress → output items (text deltas, then function calls) → completed |
// incomplete | failed, each `event:` + `data:` (the stream adds [DONE]).
import type { RunResult } from '../../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from '../errors.js'
import { itemId } from '../response-items.js'
import { completionOf, functionCallItem, messageItem, snapshotJson, type OutputItem, type ResponseMeta, type SnapshotState } from '../responses-build.js'
import { flat } from '../flat-string.js'
import { fragments } from '../turns.js'
import type { StreamFormat } from './format.js'

export function responseEvents (meta: ResponseMeta): ResponseEvents {
  return new ResponseEvents(meta)
}

export class ResponseEvents implements StreamFormat {
  readonly opening: string
  readonly terminator = 'data: [DONE]\n\n'
  /** The response as the stream's last event told it (JSON), to store. */
  finalJson: string | undefined
  private seq = 0
  private readonly output: OutputItem[] = []
  private readonly messageId: string
  private text = ''
  private messageOpen = false
  /** The closed message as the response's `output` and `output_text` (JSON), as its events gave them. */
  private messageJson: { items: string, text: string } | undefined
  /** Where the message's text part is, for its events (JSON fields; the id is hex). */
  private readonly at: string
  private readonly deltaHead: string

  constructor (private readonly meta: ResponseMeta) {
    this.messageId = itemId(meta.id, 'msg', 'o', 0)
    this.at = `"item_id":"${this.messageId}","output_index":0,"content_index":0`
    this.deltaHead = `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"${this.messageId}","output_index":0,"content_index":0,"delta":`
    // In both opening events: flattened once, copied twice.
    const opening = flat(snapshotJson(meta, { status: 'in_progress' }))
    this.opening = this.responseEvent(HEADS.created, opening) + this.responseEvent(HEADS.inProgress, opening)
  }

  delta (delta: string): string {
    const open = this.openMessage()
    this.text += delta
    return `${open}${this.deltaHead}${JSON.stringify(delta)},"logprobs":[],"sequence_number":${this.seq++}}\n\n`
  }

  ok (result: RunResult): string {
    const { status, reason } = completionOf(result)
    const closing = this.closeMessage(status === 'completed' ? 'completed' : 'incomplete') + this.calls(result)
    // Without tool calls the output is the message alone, already serialized for its events.
    const outputJson = result.toolCalls.length === 0 ? this.messageJson : undefined
    return closing + this.finish(status === 'completed' ? HEADS.completed : HEADS.incomplete, { status, output: this.output, outputJson, result, incompleteReason: reason })
  }

  failed (result: RunResult): string {
    const closing = this.closeMessage('incomplete')
    const failure = toOpenAiFailure(fromRunResult(result)).body.error
    const error = { code: failure.code ?? 'server_error', message: failure.message }
    return closing + this.finish(HEADS.failed, { status: 'failed', output: this.output, outputJson: this.messageJson, result, error })
  }

  private finish (head: string, state: SnapshotState): string {
    // In the last event and in the store: flattened once, copied twice.
    this.finalJson = flat(snapshotJson(this.meta, state))
    return this.responseEvent(head, this.finalJson)
  }

  /** An event whose only field is the response, already serialized (once for the stream and the store). */
  private responseEvent (head: string, responseJson: string): string {
    return `${head}"response":${responseJson},"sequence_number":${this.seq++}}\n\n`
  }

  private event (type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: this.seq++ })}\n\n`
  }

  /** An event from its head (`HEADS`) and its fields as JSON text: the message's events are templates, as they are part of every streamed answer. */
  private template (head: string, fieldsJson: string): string {
    return `${head}${fieldsJson},"sequence_number":${this.seq++}}\n\n`
  }

  private openMessage (): string {
    if (this.messageOpen) return ''
    this.messageOpen = true
    return this.template(HEADS.itemAdded, `"output_index":0,"item":{"type":"message","id":"${this.messageId}","status":"in_progress","role":"assistant","content":[]}`) +
      this.template(HEADS.partAdded, `${this.at},"part":{"type":"output_text","text":"","annotations":[]}`)
  }

  private closeMessage (status: 'completed' | 'incomplete'): string {
    if (!this.messageOpen) return ''
    this.output.push(messageItem(this.messageId, this.text, status))
    const text = JSON.stringify(this.text)
    const part = `{"type":"output_text","text":${text},"annotations":[]}`
    const item = `{"type":"message","id":"${this.messageId}","status":"${status}","role":"assistant","content":[${part}]}`
    this.messageJson = { items: item, text }
    return this.template(HEADS.textDone, `${this.at},"text":${text},"logprobs":[]`) +
      this.template(HEADS.partDone, `${this.at},"part":${part}`) +
      this.template(HEADS.itemDone, `"output_index":0,"item":${item}`)
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

// A concatenation is a tree of its pieces, walked again when the text is
// written out: an event's constant start is one piece.

/** The `event:` line and the start of `data:` up to the first field, per event type. */
const HEADS = {
  created: head('response.created'),
  inProgress: head('response.in_progress'),
  itemAdded: head('response.output_item.added'),
  partAdded: head('response.content_part.added'),
  textDone: head('response.output_text.done'),
  partDone: head('response.content_part.done'),
  itemDone: head('response.output_item.done'),
  completed: head('response.completed'),
  incomplete: head('response.incomplete'),
  failed: head('response.failed')
} as const

function head (type: string): string {
  return flat(`event: ${type}\ndata: {"type":"${type}",`)
}
