// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6), fed with body chunks as they arrive.
// Chunks may split lines, CRLF pairs and multi-byte UTF-8 sequences anywhere.

export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  data: string;
  id?: string;
}

export interface SseParser {
  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[];
  /** Flushes at end of stream. Lenient: an unterminated final event is still dispatched. */
  end(): SseEvent[];
}

export function createSseParser (): SseParser {
  let buffer = ''
  let pendingCr = false // a chunk ended in '\r'; a leading '\n' in the next chunk belongs to it
  let first = true
  let event = ''
  let dataLines: string[] = []
  let id: string | undefined

  function dispatch (out: SseEvent[]): void {
    if (dataLines.length > 0) {
      const ev: SseEvent = { event: event || 'message', data: dataLines.join('\n') }
      if (id !== undefined) ev.id = id
      out.push(ev)
    }
    event = ''
    dataLines = []
  }

  function processLine (line: string, out: SseEvent[]): void {
    if (line === '') return dispatch(out)
    if (line.startsWith(':')) return // comment / keep-alive
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') dataLines.push(value)
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
      let i = buffer.length
      buffer += text
      let start = 0
      for (; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i)
        if (ch !== 10 && ch !== 13) continue
        processLine(buffer.slice(start, i), out)
        if (ch === 13) {
          if (i + 1 === buffer.length) pendingCr = true
          else if (buffer.charCodeAt(i + 1) === 10) i++
        }
        start = i + 1
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
    },
  }
}

/** Decodes a byte stream into SSE events without ever holding more than one partial event. */
export async function * readSseEvents (body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  for await (const events of readSseBatches(body)) yield * events
}

/**
 * The same, one batch per body chunk: an async generator step costs a few
 * promises, so a hot caller takes a chunk's events (often a whole short
 * answer) in one step instead of one step each. Batches may be empty.
 */
export async function * readSseBatches (body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder('utf-8')
  const parser = createSseParser()
  for await (const chunk of body) {
    yield parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
  }
  yield [...parser.push(decoder.decode()), ...parser.end()]
}
