// What a wire format (chat chunks, Responses events) gives the stream: text
// for each part of a run. Formats only encode; the stream decides what is sent when.
import type { RunResult } from '../../../src/agents/types.js'

/** A wire format: the text of each part of a streamed run. */
export interface StreamFormat {
  /** Written right after the headers. */
  readonly opening: string
  /** Written last, after the closing events (`data: [DONE]` for OpenAI; nothing for Anthropic). */
  readonly terminator: string
  /** Text of the run, once the stream is committed. */
  delta: (text: string) => string
  /** The run ended well: its closing events. */
  ok: (result: RunResult) => string
  /** It failed after the first byte: the status is already 200, so the error travels in the stream. */
  failed: (result: RunResult) => string
}
