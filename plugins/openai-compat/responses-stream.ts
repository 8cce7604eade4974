// Streams one run as Responses API events (clients.md 2.4, contract 3.5):
// created → in_progress → output items (text deltas, then function calls)
// → completed | incomplete | failed, each `event:` + `data:`, then [DONE].
import type { FastifyReply } from 'fastify'
import type { RunResult } from '../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from './errors.js'
import { completionOf, functionCallItem, messageItem, newId, snapshot, type OutputItem, type ResponseMeta } from './responses-build.js'
import type { BridgedRun } from './run-bridge.js'
import { RunStream } from './run-stream.js'
import type { KeepAlive } from './sse-writer.js'
import { fragments } from './turns.js'

const textPart = (t: string) => ({ type: 'output_text', text: t, annotations: [] })

class ResponseStream extends RunStream {
  private seq = 0
  private readonly output: OutputItem[] = []
  private readonly messageId = newId('msg')
  private text = ''
  private messageOpen = false
  /** Where the message's text part is, for its events. */
  private readonly at = { item_id: this.messageId, output_index: 0, content_index: 0 }
  private readonly deltaHead = `{"type":"response.output_text.delta","item_id":"${this.messageId}","output_index":0,"content_index":0,"delta":`

  constructor (reply: FastifyReply, run: BridgedRun, private readonly meta: ResponseMeta, keepAlive: KeepAlive) {
    super(reply, run, keepAlive)
  }

  onCommit (): void {
    this.emit('response.created', { response: snapshot(this.meta, { status: 'in_progress' }) })
    this.emit('response.in_progress', { response: snapshot(this.meta, { status: 'in_progress' }) })
  }

  protected delta (delta: string): void {
    this.openMessage()
    this.text += delta
    this.sse.event('response.output_text.delta', `${this.deltaHead}${JSON.stringify(delta)},"logprobs":[],"sequence_number":${this.seq++}}`)
  }

  protected ok (result: RunResult): void {
    const { status, reason } = completionOf(result)
    this.closeMessage(status === 'completed' ? 'completed' : 'incomplete')
    this.writeCalls(result)
    const type = status === 'completed' ? 'response.completed' : 'response.incomplete'
    this.emit(type, { response: snapshot(this.meta, { status, output: this.output, result, incompleteReason: reason }) })
  }

  protected failed (result: RunResult): void {
    this.closeMessage('incomplete')
    const failure = toOpenAiFailure(fromRunResult(result)).body.error
    const error = { code: failure.code ?? 'server_error', message: failure.message }
    this.emit('response.failed', { response: snapshot(this.meta, { status: 'failed', output: this.output, result, error }) })
  }

  private emit (type: string, fields: Record<string, unknown>): void {
    this.sse.event(type, JSON.stringify({ type, ...fields, sequence_number: this.seq++ }))
  }

  private openMessage (): void {
    if (this.messageOpen) return
    this.messageOpen = true
    this.emit('response.output_item.added', { output_index: 0, item: messageItem(this.messageId, '', 'in_progress') })
    this.emit('response.content_part.added', { ...this.at, part: textPart('') })
  }

  private closeMessage (status: 'completed' | 'incomplete'): void {
    if (!this.messageOpen) return
    this.emit('response.output_text.done', { ...this.at, text: this.text, logprobs: [] })
    this.emit('response.content_part.done', { ...this.at, part: textPart(this.text) })
    const item = messageItem(this.messageId, this.text, status)
    this.output.push(item)
    this.emit('response.output_item.done', { output_index: 0, item })
  }

  private writeCalls (result: RunResult): void {
    for (const call of result.toolCalls) {
      const outputIndex = this.output.length
      const item = functionCallItem(call, 'in_progress', '')
      this.emit('response.output_item.added', { output_index: outputIndex, item })
      for (const part of call.arguments === '' ? [] : fragments(call.arguments)) {
        this.emit('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: part })
      }
      this.emit('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: call.arguments })
      const done = { ...item, arguments: call.arguments, status: 'completed' as const }
      this.output.push(done)
      this.emit('response.output_item.done', { output_index: outputIndex, item: done })
    }
  }
}

/** Resolves with the run's result once the stream is finished; rejects (nothing written) when it failed before any output. */
export function streamResponse (reply: FastifyReply, run: BridgedRun, meta: ResponseMeta, keepAlive: KeepAlive): Promise<RunResult | undefined> {
  return new ResponseStream(reply, run, meta, keepAlive).done
}
