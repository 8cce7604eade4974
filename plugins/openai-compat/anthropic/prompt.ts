// Anthropic `system` + `messages` → the engine's prompt, as for chat
// completions: the current turn is the run's input, the rest its context, and
// only the current turn's images are sent (earlier ones become "[image]").
// Content blocks must suit their role: a tool_use in a user turn is a 400.
import type { ChatMessage, ContentPart, ToolCall } from '../../../src/providers/index.js'
import type { AnthropicMessage, ContentBlock, CountTokensRequest } from '../../../schemas/anthropic.js'
import { invalidRequest } from '../errors.js'
import { collapseParts, type ImageBudget } from '../images.js'
import { currentTurnStart, type TurnRole } from '../turns.js'

export interface MessagesPrompt {
  system: string | undefined
  context: ChatMessage[]
  input: ChatMessage[]
}

export function buildMessagesPrompt (body: Pick<CountTokensRequest, 'system' | 'messages'>, images: ImageBudget): MessagesPrompt {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n\n')
  // A turn is where the last user message with text or images begins; trailing tool results are a turn too.
  const roles = body.messages.map((m): TurnRole => (m.role === 'user' && isToolResults(m) ? 'tool' : m.role))
  const start = currentTurnStart(roles)
  const names = new Map<string, string>()
  const context: ChatMessage[] = []
  const input: ChatMessage[] = []
  body.messages.forEach((m, i) => {
    const into = i < start ? context : input
    into.push(...convert(m, `messages.${i}.content`, i < start ? undefined : images, names))
  })
  return { system: system.trim() === '' ? undefined : system, context, input }
}

function isToolResults (m: AnthropicMessage): boolean {
  return Array.isArray(m.content) && m.content.length > 0 && m.content.every((b) => b.type === 'tool_result')
}

function convert (m: AnthropicMessage, at: string, images: ImageBudget | undefined, names: Map<string, string>): ChatMessage[] {
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }]
  return m.role === 'assistant' ? [assistant(m.content, at, names)] : user(m.content, at, images, names)
}

function assistant (blocks: readonly ContentBlock[], at: string, names: Map<string, string>): ChatMessage {
  let text = ''
  const calls: ToolCall[] = []
  blocks.forEach((b, j) => {
    const param = `${at}.${j}`
    if (b.type === 'text') text += textOf(b, param)
    else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') throw invalidRequest(`${param}: a tool_use block needs id and name`)
      names.set(b.id, b.name)
      calls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) })
    } else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') throw misplaced(b.type, 'assistant', param)
  })
  return calls.length > 0 ? { role: 'assistant', content: text, toolCalls: calls } : { role: 'assistant', content: text }
}

/** Tool results become tool messages, before the user's own words of the same turn. */
function user (blocks: readonly ContentBlock[], at: string, images: ImageBudget | undefined, names: Map<string, string>): ChatMessage[] {
  const results: ChatMessage[] = []
  const parts: ContentPart[] = []
  blocks.forEach((b, j) => {
    const param = `${at}.${j}`
    if (b.type === 'text') parts.push({ type: 'text', text: textOf(b, param) })
    else if (b.type === 'image') parts.push(images === undefined ? { type: 'text', text: '[image]' } : image(b, param, images))
    else if (b.type === 'tool_result') {
      if (typeof b.tool_use_id !== 'string') throw invalidRequest(`${param}.tool_use_id: Field required`)
      const output = typeof b.content === 'string' ? b.content : (b.content ?? []).map((c) => (c.type === 'text' ? c.text ?? '' : '[image]')).join('')
      results.push({ role: 'tool', toolCallId: b.tool_use_id, name: names.get(b.tool_use_id) ?? 'tool', content: b.is_error === true ? `Error: ${output}` : output })
    } else throw misplaced(b.type, 'user', param)
  })
  return parts.length > 0 ? [...results, { role: 'user', content: collapseParts(parts) }] : results
}

function image (b: ContentBlock, param: string, images: ImageBudget): ContentPart {
  const s = b.source
  if (s?.type === 'base64' && typeof s.data === 'string') return images.base64(String(s.media_type ?? '').toLowerCase(), s.data, `${param}.source.data`)
  if (s?.type === 'url' && typeof s.url === 'string') return images.take(s.url, `${param}.source.url`)
  throw invalidRequest(`${param}.source: an image needs {type:"base64", media_type, data} or {type:"url", url}`)
}

function textOf (b: ContentBlock, param: string): string {
  if (typeof b.text !== 'string') throw invalidRequest(`${param}.text: Field required`)
  return b.text
}

function misplaced (type: string, role: 'user' | 'assistant', param: string): Error {
  const allowed = role === 'user' ? 'text, image or tool_result' : 'text, tool_use or thinking'
  return invalidRequest(`${param}.type: a ${role} message cannot hold a '${type}' block (use ${allowed})`)
}
