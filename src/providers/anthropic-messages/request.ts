// Neutral request → Anthropic Messages body. Anthropic differs from OpenAI in three ways that
// matter here: system text is a top-level field, tool results are user-turn blocks, and turns
// must alternate, so consecutive same-role messages are merged into one turn.

import type { BodyRequest, BuildContext, WireParts } from '../adapter.js'
import type { ChatMessage, ContentPart, ToolChoice, ToolSpec } from '../types.js'

type Block = Record<string, unknown>
type Turn = { role: 'user' | 'assistant', content: Block[] }

export const DEFAULT_MAX_TOKENS = 4096

function imageBlock (part: Extract<ContentPart, { type: 'image' }>): Block {
  if ('data' in part) return { type: 'image', source: { type: 'base64', media_type: part.mimeType, data: part.data } }
  // Anthropic's url source only fetches http(s); inline data URLs must become base64 sources.
  const inline = /^data:([^;,]+);base64,(.*)$/s.exec(part.url)
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline[1], data: inline[2] } }
  return { type: 'image', source: { type: 'url', url: part.url } }
}

function textBlocks (text: string): Block[] {
  return text === '' ? [] : [{ type: 'text', text }] // empty text blocks are rejected upstream
}

function parseToolInput (args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through: the model produced broken JSON; the following tool_result explains the failure
  }
  return {}
}

function toTurn (message: Exclude<ChatMessage, { role: 'system' }>): Turn {
  switch (message.role) {
    case 'user':
      return {
        role: 'user',
        content:
          typeof message.content === 'string'
            ? textBlocks(message.content)
            : message.content.flatMap((part) => (part.type === 'text' ? textBlocks(part.text) : [imageBlock(part)]))
      }
    case 'assistant':
      return {
        role: 'assistant',
        content: [
          ...textBlocks(message.content),
          ...(message.toolCalls ?? []).map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: parseToolInput(call.arguments)
          }))
        ]
      }
    case 'tool': {
      const block: Block = { type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }
      if (message.isError) block.is_error = true
      return { role: 'user', content: [block] }
    }
  }
}

function toAnthropicTurns (messages: ChatMessage[]): { system?: string, turns: Turn[] } {
  const system = messages.flatMap((m) => (m.role === 'system' ? [m.content] : []))
  const turns: Turn[] = []
  for (const message of messages) {
    if (message.role === 'system') continue
    const turn = toTurn(message)
    const last = turns.at(-1)
    if (last && last.role === turn.role) last.content.push(...turn.content)
    else turns.push(turn)
  }
  for (const turn of turns) {
    // tool_result blocks must precede any other content in their user turn.
    if (turn.role === 'user') {
      turn.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'))
    }
  }
  const nonEmpty = turns.filter((t) => t.content.length > 0)
  return system.length > 0 ? { system: system.join('\n\n'), turns: nonEmpty } : { turns: nonEmpty }
}

function toolChoice (choice: ToolChoice): Block {
  if (typeof choice !== 'string') return { type: 'tool', name: choice.name }
  return { type: choice === 'required' ? 'any' : choice }
}

/** The system prompt is a top-level string: its wire form is the text itself. */
export function messagesSystem (text: string): string {
  return text
}

export function messagesTools (tools: readonly ToolSpec[]): Block[] {
  return tools.map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.parameters
  }))
}

export function buildMessagesBody (req: BodyRequest, parts: WireParts, ctx: BuildContext): Record<string, unknown> {
  const { system, turns } = toAnthropicTurns(req.messages)
  const body: Record<string, unknown> = {
    model: req.model,
    max_tokens: req.maxTokens ?? ctx.modelConfig?.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: turns,
    stream: req.stream !== false
  }
  // System messages among the turns (old transcripts) are joined after the prompt.
  if (system === undefined) {
    if (parts.system !== undefined) body.system = parts.system
  } else {
    body.system = parts.systemText === undefined ? system : `${parts.systemText}\n\n${system}`
  }
  if (parts.tools !== undefined) body.tools = parts.tools
  if (req.toolChoice !== undefined) body.tool_choice = toolChoice(req.toolChoice)
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.topP !== undefined) body.top_p = req.topP
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop
  // seed, penalties and response_format have no Messages API equivalent and are dropped on purpose.
  return body
}
