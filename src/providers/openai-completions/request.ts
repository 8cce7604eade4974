// Neutral request → OpenAI Chat Completions wire body (also what most local servers speak).

import type { BodyRequest, WireParts } from '../adapter.js'
import type { ChatMessage, ContentPart, ToolChoice, ToolSpec } from '../types.js'

function contentPart (part: ContentPart): Record<string, unknown> {
  if (part.type === 'text') return { type: 'text', text: part.text }
  const url = 'url' in part ? part.url : `data:${part.mimeType};base64,${part.data}`
  return { type: 'image_url', image_url: { url } }
}

export function toChatMessage (message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content }
    case 'user':
      return {
        role: 'user',
        content: typeof message.content === 'string' ? message.content : message.content.map(contentPart)
      }
    case 'assistant': {
      const calls = message.toolCalls ?? []
      if (calls.length === 0) return { role: 'assistant', content: message.content }
      return {
        role: 'assistant',
        // OpenAI wants null, not "", when the turn is only tool calls.
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments }
        }))
      }
    }
    case 'tool':
      // Chat Completions has no error flag for tool results; the text has to carry it.
      return {
        role: 'tool',
        tool_call_id: message.toolCallId,
        content: message.isError ? `Error: ${message.content}` : message.content
      }
  }
}

function toolChoice (choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

const STREAM_ON = { stream: true, stream_options: { include_usage: true } }
const STREAM_OFF = { stream: false }

export function completionsSystem (text: string): Record<string, unknown> {
  return { role: 'system', content: text }
}

export function completionsTools (tools: readonly ToolSpec[]): unknown[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.parameters
    }
  }))
}

export function buildCompletionsBody (req: BodyRequest, parts: WireParts): Record<string, unknown> {
  const messages: unknown[] = parts.system === undefined ? [] : [parts.system]
  for (const message of req.messages) messages.push(toChatMessage(message))
  const body: Record<string, unknown> = {
    model: req.model,
    messages,
    ...(req.stream === false ? STREAM_OFF : STREAM_ON)
  }
  if (parts.tools !== undefined) body.tools = parts.tools
  if (req.toolChoice !== undefined) body.tool_choice = toolChoice(req.toolChoice)
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.topP !== undefined) body.top_p = req.topP
  if (req.stop !== undefined && req.stop.length > 0) body.stop = req.stop
  if (req.seed !== undefined) body.seed = req.seed
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty
  if (req.responseFormat !== undefined) body.response_format = req.responseFormat
  return body
}
