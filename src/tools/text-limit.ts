/**
 * Byte budgets for text handed back to the model. Budgets are in UTF-8 bytes
 * (what fills a context window), and cuts never split a multi-byte character.
 */

/** Length of `buf` without a trailing, incomplete UTF-8 sequence. */
function completeLength (buf: Buffer): number {
  let i = buf.length - 1
  let continuation = 0
  while (i >= 0 && continuation < 3 && (buf[i] & 0xc0) === 0x80) {
    i--
    continuation++
  }
  if (i < 0) return buf.length
  const lead = buf[i]
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return buf.length - i < need ? i : buf.length
}

/** Largest prefix of `buf` of at most `max` bytes that ends on a character boundary. */
export function utf8Prefix (buf: Buffer, max: number): Buffer {
  const cut = buf.subarray(0, Math.max(0, Math.min(max, buf.length)))
  return cut.subarray(0, completeLength(cut))
}

/** Largest suffix of `buf` of at most `max` bytes that starts on a character boundary. */
export function utf8Suffix (buf: Buffer, max: number): Buffer {
  let start = Math.max(0, buf.length - Math.max(0, max))
  const limit = Math.min(buf.length, start + 3)
  while (start < limit && (buf[start] & 0xc0) === 0x80) start++
  return buf.subarray(start)
}

/** Caps `text` at `maxBytes`, appending a note the model can act on. */
export function capText (text: string, maxBytes: number): { text: string, truncated: boolean } {
  // Cheap exit: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return { text, truncated: false }
  const buf = Buffer.from(text, 'utf8')
  if (buf.length <= maxBytes) return { text, truncated: false }
  const head = utf8Prefix(buf, maxBytes)
  return {
    text: `${head.toString('utf8')}\n[output truncated: showing ${head.length} of ${buf.length} bytes]`,
    truncated: true
  }
}

export interface OutputCapture {
  push(chunk: Buffer): void
  /** Head and tail joined by an omission note when more than the budget arrived. */
  finish(): { text: string, truncated: boolean, totalBytes: number }
}

/**
 * Keeps the first and last half of a stream within `maxBytes`: command output
 * puts the context at the top and the verdict (errors, summaries) at the end.
 */
export function createOutputCapture (maxBytes: number): OutputCapture {
  const headMax = Math.floor(maxBytes / 2)
  const tailMax = maxBytes - headMax
  const head: Buffer[] = []
  let headBytes = 0
  const tail: Buffer[] = []
  let tailBytes = 0
  let total = 0

  return {
    push (chunk) {
      total += chunk.length
      let rest = chunk
      if (headBytes < headMax) {
        const take = rest.subarray(0, headMax - headBytes)
        head.push(take)
        headBytes += take.length
        rest = rest.subarray(take.length)
      }
      if (rest.length === 0) return
      tail.push(rest)
      tailBytes += rest.length
      while (tail.length > 1 && tailBytes - tail[0].length >= tailMax) {
        tailBytes -= tail[0].length
        tail.shift()
      }
      if (tailBytes > tailMax) {
        tail[0] = tail[0].subarray(tailBytes - tailMax)
        tailBytes = tailMax
      }
    },
    finish () {
      const headBuf = Buffer.concat(head)
      const tailBuf = Buffer.concat(tail)
      const omitted = total - headBuf.length - tailBuf.length
      if (omitted === 0) {
        return { text: Buffer.concat([headBuf, tailBuf]).toString('utf8'), truncated: false, totalBytes: total }
      }
      const headText = utf8Prefix(headBuf, headBuf.length).toString('utf8')
      const tailText = utf8Suffix(tailBuf, tailBuf.length).toString('utf8')
      return {
        text: `${headText}\n[... ${omitted} bytes of output omitted ...]\n${tailText}`,
        truncated: true,
        totalBytes: total
      }
    }
  }
}
