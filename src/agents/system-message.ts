// A turn's system prompt: the agent's identity line, its workspace bootstrap
// text (bootstrap.ts) and the request's extra prompt, in that order.
import type { ChatMessage } from '../providers/index.js'

/**
 * The system message of a turn: one frozen object per agent for as long as
 * its name, bootstrap text and the request's extra prompt stay the same.
 * Provider adapters serialize a frozen message once (see
 * providers/body-encoder.ts): the bootstrap files, often tens of KB, are then
 * not re-encoded on every request. One entry per agent id (the last one used).
 */
export class SystemMessages {
  private readonly last = new Map<string, { name: string, bootstrap: string, extra: string | undefined, message: ChatMessage }>()

  get (agentId: string, name: string, bootstrap: string, extra: string | undefined): ChatMessage {
    const hit = this.last.get(agentId)
    if (hit !== undefined && hit.name === name && hit.bootstrap === bootstrap && hit.extra === extra) return hit.message
    const message: ChatMessage = Object.freeze({ role: 'system', content: composeSystemPrompt(name, bootstrap, extra) })
    this.last.set(agentId, { name, bootstrap, extra, message })
    return message
  }
}

function composeSystemPrompt (agentName: string, bootstrap: string, extra: string | undefined): string {
  let prompt = `You are ${agentName}, an assistant running in the OpenClaw gateway.`
  if (bootstrap !== '') prompt += `\n\n${bootstrap}`
  const more = extra?.trim() ?? ''
  if (more !== '') prompt += `\n\n${more}`
  return prompt
}
