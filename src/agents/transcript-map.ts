// Converts between transcript records (what is on disk) and provider chat
// messages (what the model sees).
import { randomUUID } from 'node:crypto'
import type { TranscriptMessage, TranscriptContentPart } from '../sessions/index.js'
import type { ChatMessage, ContentPart, ToolCall } from '../providers/index.js'

export function toTranscript (message: ChatMessage, meta: { runId: string, now: number, model?: string, provider?: string, channel?: string }): TranscriptMessage {
  const base = { id: randomUUID(), timestamp: meta.now, runId: meta.runId }
  switch (message.role) {
    case 'system':
      return { ...base, role: 'system', content: message.content }
    case 'user':
      return { ...base, role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(partToTranscript), ...(meta.channel !== undefined ? { channel: meta.channel } : {}) }
    case 'assistant': {
      const parts: TranscriptContentPart[] = []
      if (message.content !== '') parts.push({ type: 'text', text: message.content })
      for (const c of message.toolCalls ?? []) parts.push({ type: 'toolCall', id: c.id, name: c.name, arguments: c.arguments })
      return { ...base, role: 'assistant', content: parts, ...(meta.model !== undefined ? { model: meta.model } : {}), ...(meta.provider !== undefined ? { provider: meta.provider } : {}) }
    }
    case 'tool':
      return { ...base, role: 'toolResult', content: message.content, toolCallId: message.toolCallId, toolName: message.name, ...(message.isError === true ? { isError: true } : {}) }
  }
}

function partToTranscript (part: ContentPart): TranscriptContentPart {
  if (part.type === 'text') return part
  // Image bytes are kept out of the transcript; the fact of the image stays.
  return 'url' in part ? { type: 'image', mimeType: 'image/*', url: part.url } : { type: 'image', mimeType: part.mimeType }
}

/**
 * History for the model. Tool calls whose results never made it to disk (a
 * crash mid-run) are dropped so providers do not reject the conversation;
 * `answeredNow` names calls answered by the turn being run (an HTTP client
 * returning results for the client tools the previous run stopped on).
 */
export function toChatHistory (records: readonly TranscriptMessage[], answeredNow: Iterable<string> = []): ChatMessage[] {
  const answered = new Set(records.filter((r) => r.role === 'toolResult' && r.toolCallId !== undefined).map((r) => r.toolCallId!))
  for (const id of answeredNow) answered.add(id)
  const out: ChatMessage[] = []
  const live = new Set<string>()
  for (const r of records) {
    if (r.role === 'user') {
      out.push({ role: 'user', content: textOf(r.content) })
    } else if (r.role === 'assistant') {
      const calls: ToolCall[] = []
      if (Array.isArray(r.content)) {
        for (const p of r.content) {
          if (p.type === 'toolCall' && answered.has(String(p.id))) {
            calls.push({ id: String(p.id), name: String(p.name), arguments: String(p.arguments) })
            live.add(String(p.id))
          }
        }
      }
      const text = textOf(r.content)
      if (text === '' && calls.length === 0) continue
      out.push(calls.length > 0 ? { role: 'assistant', content: text, toolCalls: calls } : { role: 'assistant', content: text })
    } else if (r.role === 'toolResult' && r.toolCallId !== undefined && live.has(r.toolCallId)) {
      out.push({ role: 'tool', toolCallId: r.toolCallId, name: r.toolName ?? 'tool', content: textOf(r.content), ...(r.isError === true ? { isError: true } : {}) })
    }
  }
  return out
}

export function textOf (content: TranscriptMessage['content']): string {
  if (typeof content === 'string') return content
  return content.filter((p): p is { type: 'text', text: string } => p.type === 'text' && typeof p.text === 'string').map((p) => p.text).join('')
}
