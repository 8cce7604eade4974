// Splits a reply into messages a service accepts (Telegram: 4096 characters).
/** Cuts at a line break or space in the second half of each window when there is one, else hard. */
export function splitText (text: string, limit: number): string[] {
  const parts: string[] = []
  let rest = text
  while (rest.length > limit) {
    // Prefer a line break, then a space, in the second half of the window; else a hard cut.
    const window = rest.slice(0, limit)
    let cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '))
    if (cut < limit / 2) cut = limit
    // Never split a surrogate pair.
    if (cut === limit && /[\uD800-\uDBFF]/.test(rest[cut - 1]!)) cut--
    parts.push(rest.slice(0, cut))
    rest = rest.slice(cut).replace(/^[\n ]/, '')
  }
  if (rest.length > 0) parts.push(rest)
  return parts
}
