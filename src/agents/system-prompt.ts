// A turn's system prompt: the agent's identity line, its workspace bootstrap
// text (bootstrap.ts) and the request's extra prompt, in that order.
import { preencode, type Preencoded } from '../providers/index.js'

/**
 * The system prompt of a turn: one Preencoded per agent for as long as its
 * name, bootstrap text and the request's extra prompt stay the same, so the
 * bootstrap files (often tens of KB) are encoded once, not on every request.
 * One entry per agent id (the last one used).
 */
export class SystemPrompts {
  private readonly last = new Map<string, { name: string, bootstrap: string, extra: string | undefined, prompt: Preencoded<string> }>()

  get (agentId: string, name: string, bootstrap: string, extra: string | undefined): Preencoded<string> {
    const hit = this.last.get(agentId)
    if (hit !== undefined && hit.name === name && hit.bootstrap === bootstrap && hit.extra === extra) return hit.prompt
    const prompt = preencode(composeSystemPrompt(name, bootstrap, extra))
    this.last.set(agentId, { name, bootstrap, extra, prompt })
    return prompt
  }
}

function composeSystemPrompt (agentName: string, bootstrap: string, extra: string | undefined): string {
  let prompt = `You are ${agentName}, an assistant running in the OpenClaw gateway.`
  if (bootstrap !== '') prompt += `\n\n${bootstrap}`
  const more = extra?.trim() ?? ''
  if (more !== '') prompt += `\n\n${more}`
  return prompt
}
