// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6), fed with body chunks as they arrive.
// Chunks may split lines, CRLF pairs and multi-byte UTF-8 sequences anywhere.

export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string
  data: string
  id?: string
}

export interface SseParser {
  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[]
  /** Flushes at end of stream. Lenient: an unterminated final event is still dispatched. */
  end(): SseEvent[]
}

export function createSseParser (): SseParser {
  let buffer = ''
  let pendingCr = false // a chunk ended in '\r'; a leading '\n' in the next chunk belongs to it
  let first = true
  let event = ''
  // Most events carry one data line: it is kept as is, and lines are joined only when there are more.
  let data: string | undefined
  let moreData: string[] | undefined
  let id: string | undefined

  function dispatch (out: SseEvent[]): void {
    if (data !== undefined) {
      const ev: SseEvent = { event: event || 'message', data: moreData === undefined ? data : [data, ...moreData].join('\n') }
      if (id !== undefined) ev.id = id
      out.push(ev)
    }
    event = ''
    data = undefined
    moreData = undefined
  }

  function addData (value: string): void {
    if (data === undefined) data = value
    else (moreData ??= []).push(value)
  }

  function processLine (line: string, out: SseEvent[]): void {
    if (line === '') return dispatch(out)
    // The common line first: `data: ` and its value.
    if (line.startsWith('data: ')) return addData(line.slice(6))
    if (line.startsWith(':')) return // comment / keep-alive
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') addData(value)
    else if (field === 'event') event = value
    else if (field === 'id' && !value.includes('\0')) id = value
    // `retry` and unknown fields are irrelevant for one-shot API streams.
  }

  return {
    push (text) {
      const out: SseEvent[] = []
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
        first = false
      }
      if (pendingCr && text.startsWith('\n')) text = text.slice(1)
      pendingCr = false
      // The retained buffer never holds a line break, so scanning resumes where new text begins.
      // Line breaks are found with indexOf (native search), not a loop over every character.
      let i = buffer.length
      buffer += text
      let start = 0
      const n = buffer.length
      // Next known position of each break (n: none left); a search reruns only once passed.
      let lf = -1
      let cr = -1
      while (i < n) {
        if (lf < i) { lf = buffer.indexOf('\n', i); if (lf === -1) lf = n }
        if (cr < i) { cr = buffer.indexOf('\r', i); if (cr === -1) cr = n }
        const at = lf < cr ? lf : cr
        if (at === n) break
        processLine(buffer.slice(start, at), out)
        i = at + 1
        if (at === cr) {
          if (i === n) pendingCr = true
          else if (buffer.charCodeAt(i) === 10) i++
        }
        start = i
      }
      buffer = buffer.slice(start)
      return out
    },
    end () {
      const out: SseEvent[] = []
      if (buffer.length > 0) processLine(buffer, out)
      buffer = ''
      dispatch(out)
      return out
    }
  }
}
