// One upstream model call on undici's dispatch API. Response bytes are
// pushed through the SSE parser and the API's decoder as they arrive, and the
// decoded events go straight to the caller's sink: no Readable, no async
// iterator, no AbortController per call. This is the hot path of every run.
// A non-streamed call (`whole`) reads one JSON answer and hands out the same
// events at once; a server that streams anyway is decoded as a stream.
//
// Outcomes, in the order they can happen:
// - the caller's signal fires (the run's abort or deadline): the promise
//   rejects at once (`aborted`) and the socket is dropped;
// - a non-2xx status, or a 2xx that is JSON/HTML/XML instead of an event
//   stream: the body is read up to a cap and turned into a ProviderError;
// - the decoder sees the API's terminal event: the promise resolves, and the
//   rest of the body gets a short grace to end so the socket can be reused;
// - the body ends early, the decoder throws, or the socket fails: rejection.
import { StringDecoder } from 'node:string_decoder'
import type { Dispatcher } from 'undici'
import type { AbortLike } from '../cancel.js'
import type { StreamDecoder } from './adapter.js'
import {
  abortedError, errorFromHttpStatus, errorFromPayload, errorFromTransport, invalidResponse, readErrorPayload, tryParseJson, type ErrorContext
} from './classify.js'
import { ERROR_BODY_LIMIT } from './http.js'
import { createSseParser, type SseParser } from './sse.js'
import type { StreamEvent } from './types.js'

/** How long the rest of a finished stream may take to end before we drop the socket instead. */
export const DRAIN_GRACE_MS = 1_000

export interface StreamCall {
  pool: Dispatcher
  path: string
  /** Complete request headers (content-type and accept included). */
  headers: Record<string, string>
  body: string | Buffer
  signal?: AbortLike | undefined
  ctx: ErrorContext
  /** Made when the answer turns out to be a stream. */
  createDecoder: (ctx: ErrorContext) => StreamDecoder
  /** Set for a non-streamed call: turns the whole JSON answer into events. */
  whole?: ((json: unknown, ctx: ErrorContext) => StreamEvent[]) | undefined
  /** Receives the events of each upstream read, synchronously, in order. */
  onEvents: (events: StreamEvent[]) => void
  /** Turns a failure into what the promise rejects with (and may report it). */
  mapError?: ((err: unknown) => unknown) | undefined
}

type DispatchController = Dispatcher.DispatchController
type Mode = 'waiting' | 'stream' | 'json' | 'status-error' | 'not-a-stream'

/** A non-streamed answer may be long (a big completion), but not unbounded. */
export const JSON_BODY_LIMIT = 32 * 1024 * 1024

class StreamCallHandler implements Dispatcher.DispatchHandler {
  private readonly call: StreamCall
  private readonly resolve: () => void
  private readonly reject: (err: unknown) => void
  private controller: DispatchController | undefined
  private mode: Mode = 'waiting'
  private settled = false
  /** Why we cut the call ourselves; set once. */
  private cut: 'aborted' | 'drained' | undefined
  /** The drain grace of a finished stream. */
  private timer: NodeJS.Timeout | undefined
  /** The response is over (ended or failed): nothing left to drain. */
  private ended = false
  private status = 0
  private headers: Record<string, string | string[]> = {}
  private contentType = ''
  private chunks: Buffer[] = []
  private size = 0
  /** UTF-8 across reads: a read may end inside a character. */
  private text: StringDecoder | undefined
  private parser: SseParser | undefined
  private decoder: StreamDecoder | undefined
  private readonly onAbort = (): void => { this.stop() }

  constructor (call: StreamCall, resolve: () => void, reject: (err: unknown) => void) {
    this.call = call
    this.resolve = resolve
    this.reject = reject
    const { signal } = call
    if (signal !== undefined) {
      if (signal.aborted) this.stop()
      else signal.addEventListener('abort', this.onAbort, { once: true })
    }
  }

  onRequestStart (controller: DispatchController): void {
    this.controller = controller
    if (this.cut !== undefined) controller.abort(new Error(`upstream call ${this.cut}`))
  }

  onResponseStart (_controller: DispatchController, status: number, headers: Record<string, string | string[]>): void {
    if (status < 200) return // 1xx informational: the real status follows
    this.status = status
    this.headers = headers
    if (status >= 300) { this.mode = 'status-error'; return }
    const raw = headers['content-type']
    this.contentType = (Array.isArray(raw) ? raw[0] ?? '' : raw ?? '').toLowerCase()
    // A missing or odd content type is tolerated: plenty of compatible servers mislabel SSE.
    const t = this.contentType
    if (t.includes('html') || t.includes('xml')) { this.mode = 'not-a-stream'; return }
    if (this.call.whole !== undefined && !t.includes('event-stream')) { this.mode = 'json'; return }
    if (t.includes('json')) { this.mode = 'not-a-stream'; return }
    this.mode = 'stream'
    this.text = new StringDecoder('utf8')
    this.parser = createSseParser()
    this.decoder = this.call.createDecoder(this.call.ctx)
  }

  onResponseData (controller: DispatchController, chunk: Buffer): void {
    if (this.settled) return // draining a finished answer, or ignoring what follows a failure
    if (this.mode === 'stream') { this.feed(this.text!.write(chunk), false); return }
    // Answers and error bodies are read up to a cap; the rest is never transferred.
    const limit = this.mode === 'json' ? JSON_BODY_LIMIT : ERROR_BODY_LIMIT
    const room = limit - this.size
    if (chunk.length < room) { this.chunks.push(chunk); this.size += chunk.length; return }
    this.chunks.push(chunk.subarray(0, room))
    this.size = limit
    this.fail(this.mode === 'json' ? invalidResponse(this.call.ctx, `response body exceeds ${limit} bytes`) : this.bodyError())
    controller.abort(new Error('upstream body too large'))
  }

  onResponseEnd (): void {
    this.ended = true
    this.clearTimer()
    if (this.settled) return
    if (this.mode === 'stream') { this.feed(this.text!.end(), true); return }
    if (this.mode === 'json') { this.answer(); return }
    this.fail(this.bodyError())
  }

  /** The end of a non-streamed answer: all its events at once. */
  private answer (): void {
    const { ctx, whole } = this.call
    const text = Buffer.concat(this.chunks, this.size).toString('utf8')
    let events: StreamEvent[]
    try {
      const json = tryParseJson(text)
      if (json === undefined) throw invalidResponse(ctx, 'response body is not JSON', text)
      events = whole!(json, ctx)
    } catch (err) {
      this.fail(err)
      return
    }
    if (!this.deliver(events)) return
    this.settle()
    this.resolve()
  }

  onResponseError (_controller: DispatchController, err: Error): void {
    this.ended = true
    this.clearTimer()
    if (this.settled) return
    this.fail(errorFromTransport(this.call.ctx, err))
  }

  /** Parses decoded text; `last` flushes the parser and closes the decoder at the end of the body. */
  private feed (text: string, last: boolean): void {
    const decoder = this.decoder!
    const events = this.parser!.push(text)
    if (last) events.push(...this.parser!.end())
    const out: StreamEvent[] = []
    try {
      for (const event of events) {
        const decoded = decoder.push(event)
        for (const e of decoded) out.push(e)
        if (decoder.finished) break
      }
      if (last && !decoder.finished) for (const e of decoder.end()) out.push(e)
    } catch (err) {
      // What the read held before the bad event still reaches the consumer.
      if (out.length > 0 && !this.deliver(out)) return
      this.fail(err)
      this.controller?.abort(err as Error)
      return
    }
    if (out.length > 0 && !this.deliver(out)) return
    if (!decoder.finished) return
    this.settle()
    this.resolve()
    // The answer is complete; give the rest of the body a moment to end so the
    // socket stays reusable. It usually ends in this same read: the timer is
    // armed only if it has not by the time this read is processed.
    if (!last) process.nextTick(() => { this.armDrain() })
  }

  private armDrain (): void {
    if (this.ended) return
    this.timer = setTimeout(() => { this.cut = 'drained'; this.controller?.abort(new Error('upstream call drained')) }, DRAIN_GRACE_MS)
    this.timer.unref()
  }

  /** Hands events to the consumer; a consumer that throws fails the call instead of undici's parser. */
  private deliver (events: StreamEvent[]): boolean {
    try {
      this.call.onEvents(events)
      return true
    } catch (err) {
      this.fail(err)
      this.controller?.abort(err as Error)
      return false
    }
  }

  get done (): boolean { return this.settled }

  private bodyError (): Error {
    const { ctx } = this.call
    const text = Buffer.concat(this.chunks, this.size).toString('utf8')
    if (this.mode === 'status-error') return errorFromHttpStatus(ctx, { status: this.status, headers: this.headers, bodyText: text })
    // A 200 that is JSON or HTML instead of what we asked for: a proxy's page, or a server that ignored `stream: true`.
    const payload = this.contentType.includes('json') ? readErrorPayload(tryParseJson(text)) : undefined
    if (payload?.message !== undefined) return errorFromPayload(ctx, payload)
    const wanted = this.call.whole === undefined ? 'an event stream' : 'a JSON answer'
    return invalidResponse(ctx, `expected ${wanted}, got ${this.contentType.split(';')[0]}`, text)
  }

  private stop (): void {
    if (this.settled) return
    this.cut = 'aborted'
    this.fail(abortedError(this.call.ctx))
    this.controller?.abort(new Error('upstream call aborted'))
  }

  private fail (err: unknown): void {
    if (this.settled) return
    this.settle()
    this.clearTimer()
    this.reject(this.call.mapError === undefined ? err : this.call.mapError(err))
  }

  private settle (): void {
    this.settled = true
    this.call.signal?.removeEventListener('abort', this.onAbort)
  }

  private clearTimer (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** Runs one streaming call; resolves once the decoder has seen the API's terminal event. */
export function streamCall (call: StreamCall): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const handler = new StreamCallHandler(call, resolve, reject)
    if (handler.done) return // aborted before it started
    call.pool.dispatch({ method: 'POST', path: call.path, headers: call.headers, body: call.body }, handler)
  })
}
