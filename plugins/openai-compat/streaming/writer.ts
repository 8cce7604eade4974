// The event-stream side of a reply. Headers are committed lazily, on the
// first thing worth sending, so a run that fails before producing anything
// still gets a real HTTP status (429 with Retry-After, 502, …) instead of an
// error buried in a 200 stream. Writes go straight to the socket.
import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyReply } from 'fastify'
import { LinkedList, type Linkable } from '../../../src/linked-list.js'

/** A reader this far behind is not reading; the run is aborted rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024
/** Silence longer than this gets a comment line, so idle proxies and clients keep the stream. */
export const KEEPALIVE_MS = 10_000

/**
 * One timer for every open stream, instead of an interval per stream (a
 * timer made and cleared per request showed up in the per-request cost).
 * It ticks at half the period; a stream silent for two whole ticks since its
 * last write gets a comment, so after between one and one and a half periods.
 * The streams are a linked list, not a Set (see linked-list.ts).
 */
export class KeepAlive {
  private tick = 0
  private readonly streams = new LinkedList<SseWriter>()
  private readonly timer: NodeJS.Timeout

  constructor (periodMs = KEEPALIVE_MS) {
    this.timer = setInterval(() => { this.beat() }, periodMs / 2)
    this.timer.unref()
  }

  get now (): number { return this.tick }
  /** How many streams it is watching (a stream leaves when it ends). */
  get watching (): number { return this.streams.size }
  add (stream: SseWriter): void { this.streams.add(stream) }
  delete (stream: SseWriter): void { this.streams.delete(stream) }

  close (): void {
    clearInterval(this.timer)
    this.streams.clear()
  }

  private beat (): void {
    this.tick++
    for (const stream of this.streams.toArray()) stream.beat(this.tick)
  }
}

/** What a writer stops when its reader stops reading: the run it streams. */
export interface Abortable {
  abort: (reason: string) => void
}

export class SseWriter implements Linkable<SseWriter> {
  prevLink: SseWriter | undefined = undefined
  nextLink: SseWriter | undefined = undefined
  linked = false
  private committed = false
  /** The keep-alive tick of the last write (or of the start). */
  private lastTick: number
  /** Text written in this loop turn, not yet handed to the socket. */
  private pending = ''
  private scheduled = false
  private readonly flush = () => {
    this.scheduled = false
    const res = this.reply.raw
    if (this.pending === '' || res.destroyed || res.writableEnded) return
    const text = this.pending
    this.pending = ''
    res.write(text)
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.run.abort('client is not reading the stream')
      res.destroy()
    }
  }

  /** `opening` is written right after the headers, whoever commits them (a delta, the end, a keep-alive). */
  constructor (
    private readonly reply: FastifyReply,
    private readonly opening: string,
    private readonly run: Abortable,
    private readonly keepAlive: KeepAlive
  ) {
    this.lastTick = keepAlive.now
    keepAlive.add(this)
  }

  /** A keep-alive tick: a run that stays silent (slow first token, long tool) commits the stream and keeps it alive. */
  beat (tick: number): void {
    if (tick - this.lastTick < 3) return
    this.commit()
    this.write(': keep-alive\n\n')
  }

  get isCommitted (): boolean { return this.committed }

  /** Sends the status line, the headers and the opening events (once). */
  commit (): void {
    if (this.committed) return
    this.committed = true
    const reply = this.reply
    reply.hijack()
    // Hijacking skips onSend: carry over what hooks already set (security headers, CORS).
    // getHeaders() is already a copy of its own.
    const headers = reply.getHeaders() as OutgoingHttpHeaders
    headers['content-type'] = 'text/event-stream; charset=utf-8'
    headers['cache-control'] = 'no-cache'
    headers.connection = 'keep-alive'
    headers['x-accel-buffering'] = 'no'
    reply.raw.writeHead(200, headers)
    this.write(this.opening)
  }

  write (text: string): void {
    const res = this.reply.raw
    if (res.destroyed || res.writableEnded) return
    this.lastTick = this.keepAlive.now
    // Events produced in the same loop turn (one upstream read often carries
    // several, and often the end of the run too) leave as one string in one
    // syscall. The flush waits for the turn's I/O callbacks (setImmediate),
    // not only the tick: a run whose end arrives with its last deltas is then
    // written once, by `end()`. A socket write costs more than the run.
    this.pending += text
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.flush)
    }
  }

  /** Writes the closing events and the format's terminator, and ends the stream. */
  end (closing: string, terminator: string): void {
    this.stop()
    const res = this.reply.raw
    if (res.destroyed || res.writableEnded) return
    const text = `${this.pending}${closing}${terminator}`
    this.pending = ''
    res.end(text)
  }

  /** Leaves the keep-alive timer without writing (the client is gone or the reply was sent another way). */
  stop (): void {
    this.keepAlive.delete(this)
  }
}
