// Streams one run as Responses API events (clients.md 2.4, contract 3.5):
// created → in_progress → output items (text deltas, then function calls)
// → completed | incomplete | failed, each `event:` + `data:`, then [DONE].
import type { FastifyReply } from 'fastify'
import type { RunResult } from '../../src/agents/types.js'
import { fromRunResult, toOpenAiFailure } from './errors.js'
import { completionOf, functionCallItem, messageItem, newId, snapshot, type OutputItem, type ResponseMeta } from './responses-build.js'
import type { BridgedRun } from './run-bridge.js'
import { streamRun } from './run-stream.js'
import { SseWriter, type KeepAlive } from './sse-writer.js'
import { fragments } from './turns.js'

/** Resolves with the run's result once the stream is finished; rejects (nothing written) when it failed before any output. */
export function streamResponse (reply: FastifyReply, run: BridgedRun, meta: ResponseMeta, keepAlive: KeepAlive): Promise<RunResult | undefined> {
  let seq = 0
  const sse = new SseWriter(reply, {
    onCommit: () => {
      emit('response.created', { response: snapshot(meta, { status: 'in_progress' }) })
      emit('response.in_progress', { response: snapshot(meta, { status: 'in_progress' }) })
    },
    onOverflow: () => { run.abort('client is not reading the stream') }
  }, keepAlive)
  const emit = (type: string, fields: Record<string, unknown>) => {
    sse.event(type, JSON.stringify({ type, ...fields, sequence_number: seq++ }))
  }
  const output: OutputItem[] = []
  const messageId = newId('msg')
  let text = ''
  let messageOpen = false
  const textPart = (t: string) => ({ type: 'output_text', text: t, annotations: [] })
  const at = { item_id: messageId, output_index: 0, content_index: 0 }
  const deltaHead = `{"type":"response.output_text.delta","item_id":"${messageId}","output_index":0,"content_index":0,"delta":`

  const openMessage = () => {
    if (messageOpen) return
    messageOpen = true
    emit('response.output_item.added', { output_index: 0, item: messageItem(messageId, '', 'in_progress') })
    emit('response.content_part.added', { ...at, part: textPart('') })
  }
  const closeMessage = (status: 'completed' | 'incomplete') => {
    if (!messageOpen) return
    emit('response.output_text.done', { ...at, text, logprobs: [] })
    emit('response.content_part.done', { ...at, part: textPart(text) })
    const item = messageItem(messageId, text, status)
    output.push(item)
    emit('response.output_item.done', { output_index: 0, item })
  }
  const writeCalls = (result: RunResult) => {
    for (const call of result.toolCalls) {
      const outputIndex = output.length
      const item = functionCallItem(call, 'in_progress', '')
      emit('response.output_item.added', { output_index: outputIndex, item })
      for (const part of call.arguments === '' ? [] : fragments(call.arguments)) {
        emit('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: part })
      }
      emit('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: call.arguments })
      const done = { ...item, arguments: call.arguments, status: 'completed' as const }
      output.push(done)
      emit('response.output_item.done', { output_index: outputIndex, item: done })
    }
  }

  return streamRun(reply, run, sse, {
    delta: (delta) => {
      openMessage()
      text += delta
      sse.event('response.output_text.delta', `${deltaHead}${JSON.stringify(delta)},"logprobs":[],"sequence_number":${seq++}}`)
    },
    ok: (result) => {
      const { status, reason } = completionOf(result)
      closeMessage(status === 'completed' ? 'completed' : 'incomplete')
      writeCalls(result)
      const type = status === 'completed' ? 'response.completed' : 'response.incomplete'
      emit(type, { response: snapshot(meta, { status, output, result, incompleteReason: reason }) })
    },
    failed: (result) => {
      closeMessage('incomplete')
      const failure = toOpenAiFailure(fromRunResult(result)).body.error
      const error = { code: failure.code ?? 'server_error', message: failure.message }
      emit('response.failed', { response: snapshot(meta, { status: 'failed', output, result, error }) })
    }
  })
}
