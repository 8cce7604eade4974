// Responses API `input` (a string or items) → the engine's messages:
// `message` items by role, echoed `function_call` items as assistant tool
// calls, and `function_call_output` items as tool results.
import type { ChatMessage, ContentPart } from '../../src/providers/index.js'
import type { ResponsesInputItem } from '../../schemas/openai.js'
import { invalidRequest } from './errors.js'
import { collapseParts, ImageBudget } from './images.js'

export interface ConvertedInput {
  system: string[]
  /** Non-system messages, in order. */
  messages: ChatMessage[]
}

type Part = NonNullable<Exclude<ResponsesInputItem['content'], string>>[number]

export function convertInput (input: string | readonly ResponsesInputItem[], images: ImageBudget): ConvertedInput {
  if (typeof input === 'string') return { system: [], messages: [{ role: 'user', content: input }] }
  const system: string[] = []
  const messages: ChatMessage[] = []
  const names = new Map<string, string>()
  input.forEach((item, i) => {
    const at = `input[${i}]`
    const type = item.type ?? 'message'
    switch (type) {
      case 'message': {
        const role = item.role
        if (role === undefined) throw invalidRequest(`Missing required parameter: '${at}.role'.`, `${at}.role`)
        if (role === 'system' || role === 'developer') system.push(textOf(item.content, `${at}.content`))
        else if (role === 'assistant') messages.push({ role: 'assistant', content: textOf(item.content, `${at}.content`) })
        else messages.push({ role: 'user', content: userContent(item.content, `${at}.content`, images) })
        break
      }
      case 'function_call': {
        if (item.call_id === undefined || item.name === undefined) throw invalidRequest(`A function_call item needs call_id and name (${at}).`, at)
        names.set(item.call_id, item.name)
        const call = { id: item.call_id, name: item.name, arguments: item.arguments ?? '{}' }
        // Consecutive calls (and the text before them) are one assistant turn, as the model produced them.
        const last = messages.at(-1)
        if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call]
        else messages.push({ role: 'assistant', content: '', toolCalls: [call] })
        break
      }
      case 'function_call_output': {
        if (item.call_id === undefined) throw invalidRequest(`Missing required parameter: '${at}.call_id'.`, `${at}.call_id`)
        const output = typeof item.output === 'string' ? item.output : textOf(item.output, `${at}.output`)
        messages.push({ role: 'tool', toolCallId: item.call_id, name: names.get(item.call_id) ?? item.name ?? 'tool', content: output })
        break
      }
      case 'reasoning':
        // Clients echo reasoning items back; the gateway has nothing to do with them.
        break
      default:
        throw invalidRequest(`Unsupported input item type '${type}' (${at}); use message, function_call or function_call_output.`, `${at}.type`, 'unsupported_input_item')
    }
  })
  return { system, messages }
}

function userContent (content: ResponsesInputItem['content'], at: string, images: ImageBudget): string | ContentPart[] {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  return collapseParts(content.map((part, i): ContentPart => {
    const param = `${at}[${i}]`
    if (part.type !== 'input_image') return { type: 'text', text: partText(part, param) }
    if (typeof part.image_url === 'string') return images.take(part.image_url, `${param}.image_url`)
    const source = part.source
    if (source?.type === 'url' && typeof source.url === 'string') return images.take(source.url, `${param}.source.url`)
    if (source?.type === 'base64' && typeof source.data === 'string') return images.base64(String(source.media_type ?? '').toLowerCase(), source.data, `${param}.source.data`)
    throw invalidRequest(`An input_image part needs image_url or source (${param}).`, param, 'invalid_image_url')
  }))
}

function textOf (content: ResponsesInputItem['content'], at: string): string {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  return content.map((part, i) => partText(part, `${at}[${i}]`)).join('')
}

function partText (part: Part, param: string): string {
  if ((part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') && typeof part.text === 'string') return part.text
  throw invalidRequest(`Unsupported content part type '${part.type}' (${param}); use input_text or input_image.`, `${param}.type`, 'unsupported_content_part')
}
