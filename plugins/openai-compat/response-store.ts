// Stored responses (`store` not false), bounded in count and age (read per
// call, so a reload applies) and kept on disk as an append-only log under
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
  /** Readable at once, on disk within 20 ms. `responseJson`: the response as the client got it (not serialized twice). */
  save: (record: ResponseToSave, responseJson: string) => void
  get: (id: string) => Promise<StoredResponse | undefined>
  /** False when there was no such (live) response. */
  delete: (id: string) => Promise<boolean>
  /** Resolves once everything saved so far is on disk. */
  flush: () => Promise<void>
  /** Flushes and releases the open segment file. */
  close: () => Promise<void>
  readonly size: number
}

export interface ResponseStoreOptions {
  dir: string
  limits: () => StoreLimits
  now: () => number
  onError: (err: unknown, op: string) => void
}

interface Segment { seq: number, file: string, size: number, records: number, live: number }
/** Where a record's line is (bytes `length`, without the newline); until it is written, its bytes are at `at` in `chunk`. */
interface Entry { id: string, createdAtMs: number, segment: Segment, offset: number, length: number, chunk: Buffer | undefined, at: number, live: boolean }
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
  /** Live responses by id. */
  private readonly index = new Map<string, Entry>()
  /**
   * Every entry since the last compaction, oldest first; eviction takes from
   * `head`, skipping dropped ones. Not the Map's own order: iterating a Map
   * from its start walks every entry deleted since its last rehash (~5 µs per save with 10,000 live).
   */
  private order: Entry[] = []
  private head = 0
  private readonly arena = new LineArena()
  /** Recently read, as JSON (a chain of stateless responses is read again each turn); one flat string each is far less for the GC to trace than the object graph. */
  private readonly recent = new LRUCache<string, string>({ max: 512 })
  /** Oldest first; the last one is appended to. */
  private readonly segments: Segment[] = []
  private current: Segment | undefined
  private seq = 0
  /** Whether evictions since the last write moved the watermark. */
  private evicted = false
  /** Queued file operations, in order. */
  private ops: Op[] = []
  /** The records those operations write, whose bytes are still only in the arena. */
  private unwritten: Entry[] = []
  private flushing: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  /** The segment being appended to stays open: an open, write and close per append cost ~50 µs per response. */
  private file: { segment: Segment, fd: number } | undefined

  constructor (private readonly opts: ResponseStoreOptions) {}

  get size (): number { return this.index.size }

  /** Replays the segments, oldest first; a torn last line (a crash) is skipped. */
  async load (): Promise<void> {
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort((a, b) => segmentSeq(a) - segmentSeq(b))
    for (const name of names) {
      const segment: Segment = { seq: segmentSeq(name), file: path.join(this.opts.dir, name), size: 0, records: 0, live: 0 }
      this.segments.push(segment)
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
    if (typeof value.drop === 'string') {
      const entry = this.index.get(value.drop)
      if (entry !== undefined) this.forget(entry)
      return
    }
    if (Array.isArray(value.evictedBefore)) {
      const [seq, offset] = value.evictedBefore
      for (; this.head < this.order.length; this.head++) {
        const entry = this.order[this.head]!
        if (entry.segment.seq > seq || (entry.segment.seq === seq && entry.offset >= offset)) break
        if (entry.live) this.forget(entry)
      }
      return
    }
    const id = value.id ?? value.response?.id
    if (typeof id !== 'string' || typeof value.createdAtMs !== 'number') return
    segment.records++
    segment.live++
    const earlier = this.index.get(id)
    if (earlier !== undefined) this.forget(earlier)
    this.add({ id, createdAtMs: value.createdAtMs, segment, offset, length: line.length, chunk: undefined, at: 0, live: true })
  }

  save (record: ResponseToSave, responseJson: string): void {
    const segment = this.segmentFor()
    const offset = segment.size
    const at = this.line(segment, recordHead(record), responseJson, CLOSE_BRACE)
    const entry: Entry = { id: record.id, createdAtMs: record.createdAtMs, segment, offset, length: segment.size - offset - 1, chunk: this.arena.chunk, at, live: true }
    segment.records++
    segment.live++
    this.add(entry)
    this.unwritten.push(entry)
    this.schedule()
    this.prune()
  }

  async get (id: string): Promise<StoredResponse | undefined> {
    const entry = this.index.get(id)
    if (entry === undefined) return undefined
    if (entry.createdAtMs < this.opts.now() - this.opts.limits().maxAgeMs) {
      this.drop(entry)
      return undefined
    }
    if (entry.chunk !== undefined) return parseRecord(entry.chunk.toString('utf8', entry.at, entry.at + entry.length))
    const cached = this.recent.get(id)
    if (cached !== undefined) return parseRecord(cached)
    try {
      const line = await this.read(entry)
      if (this.index.get(id) !== entry) return undefined
      this.recent.set(id, line)
      return parseRecord(line)
    } catch (err) {
      this.opts.onError(err, 'read')
      return undefined
    }
  }

  async delete (id: string): Promise<boolean> {
    const entry = this.index.get(id)
    if (entry === undefined || await this.get(id) === undefined) return false
    this.drop(entry)
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
    let evicted = false
    for (; this.head < this.order.length; this.head++) {
      const entry = this.order[this.head]!
      if (!entry.live) continue
      if (this.index.size <= maxResponses && entry.createdAtMs >= oldest) break
      this.forget(entry)
      evicted = true
    }
    if (evicted) {
      this.evicted = true
      this.collect()
      this.schedule()
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
  }

  private add (entry: Entry): void {
    this.index.set(entry.id, entry)
    this.order.push(entry)
  }

  /** Takes an entry out of memory; what the log says of it is the caller's. */
  private forget (entry: Entry): void {
    this.index.delete(entry.id)
    this.recent.delete(entry.id)
    entry.live = false
    entry.segment.live--
    entry.chunk = undefined
  }

  /** A deletion (or an expiry found on read): forgotten, and a drop line for the log. */
  private drop (entry: Entry): void {
    this.forget(entry)
    this.line(this.segmentFor(), JSON.stringify({ drop: entry.id }))
    this.schedule()
    this.collect()
  }

  /** Every record before the oldest one not yet evicted (or before the log's end) is gone. */
  private queueWatermark (): void {
    if (!this.evicted) return
    this.evicted = false
    const end = this.segmentFor()
    const first = this.order[this.head]
    const at = first === undefined ? `${end.seq},${end.size}` : `${first.segment.seq},${first.offset}`
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
    if (last !== undefined && 'chunk' in last && last.segment === segment && last.chunk === chunk && last.end === start) last.end = end
    else this.ops.push({ segment, chunk, start, end })
    return start
  }

  /** Deletes the oldest segments while none of their records is live. */
  private collect (): void {
    while (this.segments.length > 0 && this.segments[0]!.live === 0 && this.segments[0] !== this.current) {
      this.removeFile(this.segments.shift()!)
    }
  }

  private segmentFor (): Segment {
    const c = this.current
    if (c !== undefined && c.records < SEGMENT_RECORDS && c.size < SEGMENT_BYTES) return c
    const seq = this.seq++
    this.current = { seq, file: path.join(this.opts.dir, `${seq}-${this.opts.now()}.jsonl`), size: 0, records: 0, live: 0 }
    this.segments.push(this.current)
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
    const entries = this.unwritten
    this.ops = []
    this.unwritten = []
    // A record's bytes leave memory once written (or failed).
    this.flushing = this.flushing.then(() => this.apply(ops)).catch((err: unknown) => { this.opts.onError(err, 'write') })
      .finally(() => { for (const entry of entries) entry.chunk = undefined })
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

  private async read (entry: Entry): Promise<string> {
    const fh = await open(entry.segment.file, 'r')
    try {
      const buf = Buffer.alloc(entry.length)
      await fh.read(buf, 0, entry.length, entry.offset)
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
