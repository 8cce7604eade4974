// OpenAI chat `messages` → the engine's prompt: system/developer text becomes
// the extra system prompt, the current turn the run's input, the rest its
// context. Images are taken from the current turn only (contract 3.4).
import type { ChatMessage, ContentPart, ToolCall } from '../../src/providers/index.js'
import type { ChatMessage as WireMessage, ContentPart as WirePart } from '../../schemas/openai.js'
import { invalidRequest } from './errors.js'
import { collapseParts, ImageBudget, type ImagePolicy } from './images.js'
import { currentTurnStart, type TurnRole } from './turns.js'

export interface Prompt {
  extraSystemPrompt: string | undefined
  context: ChatMessage[]
  input: ChatMessage[]
}

export function buildChatPrompt (messages: readonly WireMessage[], policy: ImagePolicy): Prompt {
  const system: string[] = []
  const convo: Array<{ message: WireMessage, index: number }> = []
  messages.forEach((message, index) => {
    if (message.role === 'system' || message.role === 'developer') system.push(textOf(message.content, `messages[${index}].content`))
    else convo.push({ message, index })
  })
  // A system-only request (title generation) is answered, not refused: its last message is the ask.
  if (convo.length === 0) {
    const last = messages.length - 1
    system.pop()
    convo.push({ message: { ...messages[last]!, role: 'user' }, index: last })
  }
  const start = currentTurnStart(convo.map((c) => c.message.role as TurnRole))
  const budget = new ImageBudget(policy)
  const names = new Map<string, string>()
  const context = convo.slice(0, start).map((c) => toChatMessage(c.message, c.index, undefined, names))
  let input = convo.slice(start).map((c) => toChatMessage(c.message, c.index, budget, names))
  // No user or tool turn at all (e.g. only an assistant prefill): its text is sent as the user's words.
  if (!convo.some((c) => c.message.role === 'user' || c.message.role === 'tool')) {
    input = input.map((m): ChatMessage => ({ role: 'user', content: m.content }))
  }
  const extra = system.filter((s) => s.trim() !== '').join('\n\n')
  return { extraSystemPrompt: extra === '' ? undefined : extra, context, input }
}

function toChatMessage (m: WireMessage, index: number, budget: ImageBudget | undefined, names: Map<string, string>): ChatMessage {
  const at = `messages[${index}]`
  switch (m.role) {
    case 'user':
      return { role: 'user', content: userContent(m.content, `${at}.content`, budget) }
    case 'assistant': {
      const calls: ToolCall[] = (m.tool_calls ?? []).map((c) => {
        names.set(c.id, c.function.name)
        return { id: c.id, name: c.function.name, arguments: c.function.arguments ?? '{}' }
      })
      const content = textOf(m.content, `${at}.content`)
      return calls.length > 0 ? { role: 'assistant', content, toolCalls: calls } : { role: 'assistant', content }
    }
    case 'tool': {
      if (m.tool_call_id === undefined || m.tool_call_id === '') {
        throw invalidRequest(`Missing required parameter: '${at}.tool_call_id'.`, `${at}.tool_call_id`)
      }
      return { role: 'tool', toolCallId: m.tool_call_id, name: names.get(m.tool_call_id) ?? m.name ?? 'tool', content: textOf(m.content, `${at}.content`) }
    }
    default:
      // system/developer never reach here; the schema refuses other roles.
      return { role: 'user', content: textOf(m.content, `${at}.content`) }
  }
}

function userContent (content: WireMessage['content'], at: string, budget: ImageBudget | undefined): string | ContentPart[] {
  if (content === undefined || content === null) return ''
  if (typeof content === 'string') return content
  const parts: ContentPart[] = content.map((part, i) => {
    const param = `${at}[${i}]`
    if (part.type === 'image_url') {
      const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url
      if (typeof url !== 'string') throw invalidRequest(`Missing required parameter: '${param}.image_url.url'.`, `${param}.image_url`)
      // Earlier turns keep the fact of an image, not its bytes (contract 3.4: images of the latest turn only).
      return budget === undefined ? { type: 'text', text: '[image]' } : budget.take(url, `${param}.image_url`)
    }
    return { type: 'text', text: partText(part, param) }
  })
  return collapseParts(parts)
}

function textOf (content: WireMessage['content'], at: string): string {
  if (content === undefined || content === null) return ''
  if (typeof content === 'string') return content
  return content.map((part, i) => partText(part, `${at}[${i}]`)).join('')
}

function partText (part: WirePart, param: string): string {
  if (part.type === 'text' && typeof part.text === 'string') return part.text
  if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal
  if (part.type === 'text') throw invalidRequest(`Missing required parameter: '${param}.text'.`, `${param}.text`)
  throw invalidRequest(`Unsupported content part type '${part.type}' (${param}); use text or image_url.`, `${param}.type`, 'unsupported_content_part')
}
