// Where the "current turn" starts in a client-supplied conversation (contract
// 3.4: the last user turn, or trailing tool results, is the run's input;
// everything earlier is context). Shared by chat completions and responses.

export type TurnRole = 'user' | 'assistant' | 'tool'

/**
 * Index of the first message of the current turn:
 * - trailing tool results (the client answering our tool calls);
 * - else the last user message and anything after it;
 * - else (no user message at all, e.g. LibreChat's title request) the last message.
 * Returns -1 for an empty conversation.
 */
export function currentTurnStart (roles: readonly TurnRole[]): number {
  let i = roles.length
  while (i > 0 && roles[i - 1] === 'tool') i--
  if (i < roles.length) return i
  const lastUser = roles.lastIndexOf('user')
  return lastUser >= 0 ? lastUser : roles.length - 1
}

/**
 * Cuts `text` into fragments of at most `size` UTF-16 units (tool-call
 * arguments on the wire), never inside a surrogate pair: a Python client
 * would not re-join two escaped halves into one character.
 */
export function fragments (text: string, size = 256): string[] {
  if (text.length <= size) return [text]
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    let end = Math.min(i + size, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    out.push(text.slice(i, end))
    i = end
  }
  return out
}
