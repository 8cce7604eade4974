// A run as Anthropic's message stream: message_start, ping, a text block
// (content_block_start, text_delta…, content_block_stop), one block per tool
// call (input_json_delta), message_delta with the stop reason and usage,
// message_stop. No `[DONE]`; a failure after the first byte is an `error` event.
import type { RunResult } from '../../../src/agents/types.js'
import type { StreamFormat } from '../streaming/index.js'
import { fragments } from '../turns.js'
import { stopReasonOf, toolInput, type MessageMeta } from './build.js'
import { toAnthropicFailure } from './errors.js'
import { fromRunResult } from '../errors.js'

export function messageEvents (meta: MessageMeta): StreamFormat {
  return new MessageEvents(meta)
}

const DELTA_HEAD = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":'

class MessageEvents implements StreamFormat {
  readonly opening: string
  readonly terminator = ''
  private textOpen = false

  constructor (meta: MessageMeta) {
    const message = { id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } }
    this.opening = event('message_start', { message }) + event('ping', {})
  }

  delta (text: string): string {
    let open = ''
    if (!this.textOpen) {
      this.textOpen = true
      open = event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
    }
    return `${open}${DELTA_HEAD}${JSON.stringify(text)}}}\n\n`
  }

  ok (result: RunResult): string {
    // Text the run never streamed as deltas still arrives as one block.
    let text = !this.textOpen && result.text !== '' ? this.delta(result.text) : ''
    text += this.closeText()
    let index = this.textOpen ? 1 : 0
    for (const call of result.toolCalls) {
      text += event('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } })
      const json = JSON.stringify(toolInput(call))
      for (const part of fragments(json)) text += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } })
      text += event('content_block_stop', { index })
      index++
    }
    const usage = { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens }
    return text + event('message_delta', { delta: { stop_reason: stopReasonOf(result), stop_sequence: null }, usage }) + event('message_stop', {})
  }

  failed (result: RunResult): string {
    return this.closeText() + event('error', { error: toAnthropicFailure(fromRunResult(result)).body.error })
  }

  private closeText (): string {
    return this.textOpen ? event('content_block_stop', { index: 0 }) : ''
  }
}

function event (type: string, fields: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`
}
