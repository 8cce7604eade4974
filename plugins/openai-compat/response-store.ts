// Stored responses (`store` not false), bounded in count and age (the current
// config's, so a reload applies) and kept on disk as an append-only log under
// <stateDir>/responses: segment files of JSON lines, a record per saved
// response, a `{"drop":id}` line per deletion, and for evictions (always the
// oldest, by count or age) one `{"evictedBefore":[segment,offset]}` line per
// write: every record before that position is gone. Saves leave the request
// path: a line is encoded off-heap at once (line-arena.ts), and what 20 ms
// saved is appended in one writev, a buffer per run of lines that sit side
// by side in the arena. Segments are deleted oldest first once none of their
// records is live (a younger one may hold the drop lines of older ones);
// start-up replays them.
import { close as closeFd, open as openFd, writev as writevFd } from 'node:fs'
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import type { GatewayConfig } from '../../schemas/config.js'
import type { ResponseObject, StoredInputItem } from '../../schemas/openai.js'
import { LineArena } from './line-arena.js'
import { PendingLines } from './pending-lines.js'
import { ResponseIndex } from './response-index.js'
import { storedInput } from './response-items.js'

export interface StoredResponse {
  id: string
  /** Milliseconds since the epoch (the response's `created_at` is in seconds). */
  createdAtMs: number
  agentId: string
  /** The session the run was written to; '' when it was not (a continuation of a stateless run starts a fresh one). */
  sessionKey: string
  /** Whether the run was written to its session: a continuation then reads the transcript, else this chain of records. */
  persisted: boolean
  response: ResponseObject
  /** The request's input items, each with its id, item references resolved. */
  input: StoredInputItem[]
}

/** What is saved with the response's JSON: a text `input` is kept as its text and read back as the one message item it stands for. */
export type ResponseToSave = Omit<StoredResponse, 'input' | 'response'> & { input: string | StoredInputItem[] }

export interface StoreLimits { maxResponses: number, maxAgeMs: number }

/** `gateway.http.endpoints.responses.store`: 10,000 responses for 30 days unless set. */
export function storeLimits (config: Readonly<GatewayConfig>): StoreLimits {
  const s = config.gateway?.http?.endpoints?.responses?.store
  return { maxResponses: s?.maxResponses ?? 10_000, maxAgeMs: (s?.maxAgeSeconds ?? 30 * 24 * 3600) * 1000 }
}

export interface ResponseStore {
  /** A new response (its id made by `responseId`), readable at once, on disk within 20 ms. `responseJson`: the response as the client got it (not serialized twice). */
  save: (record: ResponseToSave, responseJson: string) => void
  get: (id: string) => Promise<StoredResponse | undefined>
  /** False when there was no such (live) response. */
  delete: (id: string) => Promise<boolean>
  /** Resolves once everything saved so far is on disk. */
  flush: () => Promise<void>
  /** Flushes and releases the open segment file. */
  close: () => Promise<void>
  readonly size: number
  /** False when the store is limited to 0 responses: a save would keep nothing. */
  readonly keeping: boolean
}

export interface ResponseStoreOptions {
  dir: string
  limits: () => StoreLimits
  now: () => number
  onError: (err: unknown, op: string) => void
}

interface Segment { seq: number, file: string, size: number, records: number, live: number }
/** Lines bound for one segment, side by side in one arena chunk: one buffer of a writev. */
interface Run { segment: Segment, chunk: Buffer, start: number, end: number }
type Op = Run | { segment: Segment, remove: true }

const CLOSE_BRACE = 0x7d
const SEGMENT = /^(\d+)-(\d+)\.jsonl$/
const SEGMENT_RECORDS = 1000
const SEGMENT_BYTES = 16 * 1024 * 1024
/**
 * Saves reach the file within this long, as one write per batch: a write per
 * loop turn meant a thread-pool round trip for nearly every streamed response.
 * Nothing is fsynced; what a crash can lose is the last batch.
 */
const WRITE_DELAY_MS = 20

export async function openResponseStore (opts: ResponseStoreOptions): Promise<ResponseStore> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const store = new LogResponseStore(opts)
  await store.load()
  return store
}

class LogResponseStore implements ResponseStore {
  /** Live responses, oldest first, by position (response-index.ts): where each one's line is. */
  private readonly index = new ResponseIndex()
  private readonly arena = new LineArena()
  /** Recently read, as JSON, by position (a chain of stateless responses is read again each turn); one flat string each is far less for the GC to trace than the object graph. */
  private readonly recent = new LRUCache<number, string>({ max: 512 })
  /** Oldest first; the last one is appended to. */
  private readonly segments: Segment[] = []
  private readonly bySeq = new Map<number, Segment>()
  private current: Segment | undefined
  private seq = 0
  /** Whether evictions since the last write moved the watermark. */
  private evicted = false
  /** Queued file operations, in order. */
  private ops: Op[] = []
  /** The records those operations write, by position: their bytes are still only in the arena. */
  private readonly unwritten = new PendingLines()
  private flushing: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  /** The segment being appended to stays open: an open, write and close per append cost ~50 µs per response. */
  private file: { segment: Segment, fd: number } | undefined

  constructor (private readonly opts: ResponseStoreOptions) {}

  get size (): number { return this.index.size }
  get keeping (): boolean { return this.opts.limits().maxResponses > 0 }

  /** Replays the segments, oldest first; a torn last line (a crash) is skipped. */
  async load (): Promise<void> {
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort((a, b) => segmentSeq(a) - segmentSeq(b))
    for (const name of names) {
      const segment: Segment = { seq: segmentSeq(name), file: path.join(this.opts.dir, name), size: 0, records: 0, live: 0 }
      this.segments.push(segment)
      this.bySeq.set(segment.seq, segment)
      const data = await readFile(segment.file)
      segment.size = data.length
      for (let start = 0; start < data.length;) {
        const end = data.indexOf(0x0a, start)
        if (end === -1) break
        this.replay(segment, data.subarray(start, end), start)
        start = end + 1
      }
      this.seq = Math.max(this.seq, segment.seq + 1)
      // Appending after a torn line would glue the next record to it.
      this.current = data.length === 0 || data[data.length - 1] === 0x0a ? segment : undefined
    }
    this.prune()
    this.collect()
  }

  private replay (segment: Segment, line: Buffer, offset: number): void {
    let value: { id?: string, createdAtMs?: number, drop?: string, evictedBefore?: [number, number], response?: { id?: unknown } }
    try {
      value = JSON.parse(line.toString('utf8'))
    } catch {
      return
    }
    const index = this.index
    if (typeof value.drop === 'string') {
      const pos = index.find(value.drop)
      if (pos >= 0) this.forget(pos)
      return
    }
    if (Array.isArray(value.evictedBefore)) {
      const [seq, offset] = value.evictedBefore
      for (let pos = index.first(); pos >= 0; pos = index.first()) {
        if (index.segment(pos) > seq || (index.segment(pos) === seq && index.offset(pos) >= offset)) break
        this.forget(pos)
      }
      return
    }
    const id = value.id ?? value.response?.id
    if (typeof id !== 'string' || typeof value.createdAtMs !== 'number' || !ResponseIndex.accepts(id)) return
    segment.records++
    segment.live++
    const earlier = index.find(id)
    if (earlier >= 0) this.forget(earlier)
    index.push(id, value.createdAtMs, segment.seq, offset, line.length)
  }

  save (record: ResponseToSave, responseJson: string): void {
    const segment = this.segmentFor()
    const offset = segment.size
    const at = this.line(segment, recordHead(record), responseJson, CLOSE_BRACE)
    const pos = this.index.push(record.id, record.createdAtMs, segment.seq, offset, segment.size - offset - 1)
    segment.records++
    segment.live++
    this.unwritten.add(pos, this.arena.chunk, at)
    this.schedule()
    this.prune()
  }

  async get (id: string): Promise<StoredResponse | undefined> {
    const index = this.index
    const pos = index.find(id)
    if (pos < 0) return undefined
    if (index.createdAt(pos) < this.opts.now() - this.opts.limits().maxAgeMs) {
      this.drop(pos, id)
      return undefined
    }
    const unwritten = this.unwritten.find(pos)
    if (unwritten !== undefined) return parseRecord(unwritten.chunk.toString('utf8', unwritten.at, unwritten.at + index.length(pos)))
    const cached = this.recent.get(pos)
    if (cached !== undefined) return parseRecord(cached)
    try {
      const line = await this.read(pos)
      if (index.find(id) !== pos) return undefined
      this.recent.set(pos, line)
      return parseRecord(line)
    } catch (err) {
      this.opts.onError(err, 'read')
      return undefined
    }
  }

  async delete (id: string): Promise<boolean> {
    if (await this.get(id) === undefined) return false
    // Looked up after the read: the response may have gone meanwhile.
    const pos = this.index.find(id)
    if (pos < 0) return false
    this.drop(pos, id)
    return true
  }

  async flush (): Promise<void> {
    while (this.ops.length > 0 || this.evicted) await this.write()
    await this.flushing
  }

  async close (): Promise<void> {
    await this.flush()
    await this.release()
  }

  /**
   * Evicts the oldest past the count limit and everything past the age
   * limit. They leave no line each: the next write records how far the
   * evictions reached (a watermark), which a replay applies the same way.
   */
  private prune (): void {
    const { maxResponses, maxAgeMs } = this.opts.limits()
    const oldest = this.opts.now() - maxAgeMs
    const index = this.index
    let evicted = false
    for (let pos = index.first(); pos >= 0; pos = index.first()) {
      if (index.size <= maxResponses && index.createdAt(pos) >= oldest) break
      this.forget(pos)
      evicted = true
    }
    if (evicted) {
      this.evicted = true
      this.collect()
      this.schedule()
    }
  }

  /** Takes a response out of memory; what the log says of it is the caller's. */
  private forget (pos: number): void {
    this.bySeq.get(this.index.segment(pos))!.live--
    this.index.remove(pos)
    // Most stores never read a response back: an eviction then skips the cache (~0.8k instructions).
    if (this.recent.size > 0) this.recent.delete(pos)
  }

  /** A deletion (or an expiry found on read): forgotten, and a drop line for the log. */
  private drop (pos: number, id: string): void {
    this.forget(pos)
    this.line(this.segmentFor(), JSON.stringify({ drop: id }))
    this.schedule()
    this.collect()
  }

  /** Every record before the oldest one not yet evicted (or before the log's end) is gone. */
  private queueWatermark (): void {
    if (!this.evicted) return
    this.evicted = false
    const end = this.segmentFor()
    const first = this.index.first()
    const at = first < 0 ? `${end.seq},${end.size}` : `${this.index.segment(first)},${this.index.offset(first)}`
    this.line(end, `{"evictedBefore":[${at}]}`)
  }

  /**
   * Encodes a line at the end of `segment` (the one being appended to) and
   * queues it, joining the last queued run when it sits right after it in
   * the arena. Returns where the line starts in the arena's chunk.
   */
  private line (segment: Segment, a: string, b?: string, lastByte?: number): number {
    const start = this.arena.put(a, b, lastByte)
    const { chunk, at: end } = this.arena
    segment.size += end - start
    const last = this.ops[this.ops.length - 1]
    if (last !== undefined && 'chunk' in last && last.segment === segment && last.chunk === chunk && last.end === start) {
      last.end = end
    } else {
      this.ops.push({ segment, chunk, start, end })
      this.arena.hold(chunk)
    }
    return start
  }

  /** Deletes the oldest segments while none of their records is live. */
  private collect (): void {
    while (this.segments.length > 0 && this.segments[0]!.live === 0 && this.segments[0] !== this.current) {
      const segment = this.segments.shift()!
      this.bySeq.delete(segment.seq)
      this.removeFile(segment)
    }
  }

  private segmentFor (): Segment {
    const c = this.current
    if (c !== undefined && c.records < SEGMENT_RECORDS && c.size < SEGMENT_BYTES) return c
    const seq = this.seq++
    this.current = { seq, file: path.join(this.opts.dir, `${seq}-${this.opts.now()}.jsonl`), size: 0, records: 0, live: 0 }
    this.segments.push(this.current)
    this.bySeq.set(seq, this.current)
    return this.current
  }

  private schedule (): void {
    this.timer ??= setTimeout(() => { void this.write() }, WRITE_DELAY_MS)
  }

  /** What the last 20 ms queued (and the eviction watermark, when it moved), in one append per segment. */
  private async write (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.queueWatermark()
    const ops = this.ops
    if (ops.length === 0) return
    // Every record saved so far is in these operations.
    const upTo = this.index.tail
    this.ops = []
    this.flushing = this.flushing.then(() => this.apply(ops)).catch((err: unknown) => { this.opts.onError(err, 'write') })
      .finally(() => {
        // A record's bytes leave the arena once written (or failed).
        this.unwritten.written(upTo)
        for (const op of ops) if ('chunk' in op) this.arena.release(op.chunk)
      })
    await this.flushing
  }

  /** The runs bound for one segment, one after the other, are one writev. */
  private async apply (ops: readonly Op[]): Promise<void> {
    for (let i = 0; i < ops.length;) {
      const op = ops[i]!
      if (!('chunk' in op)) { await this.removeSegment(op.segment); i++; continue }
      const data: Buffer[] = []
      let j = i
      for (let next = ops[j]; next !== undefined && 'chunk' in next && next.segment === op.segment; next = ops[++j]) data.push(next.chunk.subarray(next.start, next.end))
      await this.appendTo(op.segment, data)
      i = j
    }
  }

  private async read (pos: number): Promise<string> {
    // Read before any await: a slot is reused once its response is gone.
    const index = this.index
    const length = index.length(pos)
    const offset = index.offset(pos)
    const fh = await open(this.bySeq.get(index.segment(pos))!.file, 'r')
    try {
      const buf = Buffer.alloc(length)
      await fh.read(buf, 0, length, offset)
      return buf.toString('utf8')
    } finally {
      await fh.close()
    }
  }

  /** Queued behind the appends already queued for it, so none can recreate the file. */
  private removeFile (segment: Segment): void {
    this.ops.push({ segment, remove: true })
    this.schedule()
  }

  private async appendTo (segment: Segment, data: Buffer[]): Promise<void> {
    if (this.file?.segment !== segment) {
      await this.release()
      const fd = await new Promise<number>((resolve, reject) => { openFd(segment.file, 'a', 0o600, (err, fd) => { if (err !== null) reject(err); else resolve(fd) }) })
      this.file = { segment, fd }
    }
    const fd = this.file.fd
    let left = data
    while (left.length > 0) {
      const n = await new Promise<number>((resolve, reject) => { writevFd(fd, left, null, (err, n) => { if (err !== null) reject(err); else resolve(n) }) })
      left = unwritten(left, n)
    }
  }

  private async release (): Promise<void> {
    const file = this.file
    if (file === undefined) return
    this.file = undefined
    await new Promise<void>((resolve) => { closeFd(file.fd, () => { resolve() }) })
  }

  private async removeSegment (segment: Segment): Promise<void> {
    if (this.file?.segment === segment) await this.release()
    await unlink(segment.file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') this.opts.onError(err, 'delete') })
  }
}

/** What a short writev of `n` bytes left of `data`. */
function unwritten (data: Buffer[], n: number): Buffer[] {
  let i = 0
  while (i < data.length && n >= data[i]!.length) n -= data[i++]!.length
  return i === data.length ? [] : [data[i]!.subarray(n), ...data.slice(i + 1)]
}

/**
 * A record's line up to its response, which follows as the client got it,
 * then `}`. Its id is the response's; a session key is kept only when the
 * run was written to it.
 */
function recordHead (r: ResponseToSave): string {
  const input = typeof r.input === 'string' ? jsonString(r.input) : inputJson(r.input)
  const session = r.persisted ? `"sessionKey":${jsonString(r.sessionKey)},` : ''
  return `{"createdAtMs":${r.createdAtMs},"agentId":${jsonString(r.agentId)},${session}"persisted":${r.persisted},"input":${input},"response":`
}

/** A record as read back: the fields its line leaves out filled in. */
function parseRecord (line: string): StoredResponse {
  const record = JSON.parse(line) as Omit<ResponseToSave, 'id' | 'sessionKey'> & { id?: string, sessionKey?: string, response: ResponseObject }
  const id = record.id ?? record.response.id
  const input = typeof record.input === 'string' ? storedInput(id, record.input) : record.input
  return { ...record, id, sessionKey: record.sessionKey ?? '', input }
}

/**
 * The input items as JSON, a plain text message (what most requests send)
 * from a template: on Node 20, JSON.stringify walks every object through
 * V8's generic property lookup (callgrind: the head cost ~19k of a save's
 * ~33k instructions with it, ~7k of ~25k without).
 */
function inputJson (items: readonly StoredInputItem[]): string {
  let json = '['
  for (const item of items) {
    if (json.length > 1) json += ','
    json += textMessageJson(item) ?? JSON.stringify(item)
  }
  return `${json}]`
}

function textMessageJson (item: StoredInputItem): string | undefined {
  const { type, id, role, status, content } = item as { type: string, id: string, role?: unknown, status?: unknown, content?: unknown }
  if (type !== 'message' || typeof role !== 'string' || typeof status !== 'string' || !Array.isArray(content) || Object.keys(item).length !== 5) return undefined
  let parts = ''
  for (const part of content as unknown[]) {
    const { type: partType, text } = part as { type?: unknown, text?: unknown }
    if ((partType !== 'input_text' && partType !== 'output_text') || typeof text !== 'string' || Object.keys(part as object).length !== 2) return undefined
    parts += `${parts === '' ? '' : ','}{"type":"${partType}","text":${jsonString(text)}}`
  }
  return `{"type":"message","id":${jsonString(id)},"role":${jsonString(role)},"status":${jsonString(status)},"content":[${parts}]}`
}

/** Printable ASCII without `"` or a backslash needs no escaping. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
function jsonString (s: string): string {
  return s.length < 256 && PLAIN.test(s) ? `"${s}"` : JSON.stringify(s)
}

/** Segments are `<seq>-<createdMs>.jsonl`; the sequence number orders them across restarts. */
function segmentSeq (name: string): number {
  return Number(SEGMENT.exec(name)![1])
}
