// Neutral request → OpenAI Responses API body. History is replayed as input items, so nothing
// needs to be stored server-side (`store: false`).

import type { BodyRequest, WireParts } from '../adapter.js'
import type { ChatMessage, ContentPart, ToolChoice, ToolSpec } from '../types.js'

type Item = Record<string, unknown>

function inputPart (part: ContentPart): Item {
  if (part.type === 'text') return { type: 'input_text', text: part.text }
  const url = 'url' in part ? part.url : `data:${part.mimeType};base64,${part.data}`
  return { type: 'input_image', image_url: url, detail: 'auto' }
}

function toInputItems (message: ChatMessage): Item[] {
  switch (message.role) {
    case 'system':
      return [{ type: 'message', role: 'system', content: message.content }]
    case 'user':
      return [
        {
          type: 'message',
          role: 'user',
          content: typeof message.content === 'string' ? message.content : message.content.map(inputPart)
        }
      ]
    case 'assistant': {
      const items: Item[] = []
      if (message.content !== '') items.push({ type: 'message', role: 'assistant', content: message.content })
      for (const call of message.toolCalls ?? []) {
        items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments })
      }
      return items
    }
    case 'tool':
      return [
        {
          type: 'function_call_output',
          call_id: message.toolCallId,
          output: message.isError ? `Error: ${message.content}` : message.content
        }
      ]
  }
}

function toolChoice (choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name }
}

/** Chat-style `response_format` → Responses `text.format` (the schema moves up one level). */
function textFormat (responseFormat: unknown): Item | undefined {
  if (typeof responseFormat !== 'object' || responseFormat === null) return undefined
  const format = responseFormat as Item
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type === 'json_schema') {
    const schema = (format.json_schema ?? {}) as Item
    return { type: 'json_schema', ...schema }
  }
  return undefined
}

export function responsesSystem (text: string): Item {
  return { type: 'message', role: 'system', content: text }
}

export function responsesTools (tools: readonly ToolSpec[]): Item[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    parameters: tool.parameters,
    strict: false
  }))
}

export function buildResponsesBody (req: BodyRequest, parts: WireParts): Record<string, unknown> {
  const input: unknown[] = parts.system === undefined ? [] : [parts.system]
  for (const message of req.messages) input.push(...toInputItems(message))
  const body: Record<string, unknown> = {
    model: req.model,
    input,
    stream: req.stream !== false,
    store: false
  }
  if (parts.tools !== undefined) body.tools = parts.tools
  if (req.toolChoice !== undefined) body.tool_choice = toolChoice(req.toolChoice)
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.topP !== undefined) body.top_p = req.topP
  const format = textFormat(req.responseFormat)
  if (format) body.text = { format }
  // stop, seed and the penalties have no Responses equivalent and are dropped on purpose.
  return body
}
