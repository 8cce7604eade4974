// An account's inbox (inbox.jsonl): each allowed message is appended and
// fsynced before the channel acknowledges it upstream, and marked done once
// the session transcript holds it. Messages still open when the process
// stopped are handed to the agent again on the next start, so a slow run in
// one chat never holds back the acknowledgement of another chat's messages.
import { open, readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeTextFile } from './state-file.js'

export interface InboxEntry { seq: number, peer: string, senderLabel: string, text: string, at: number }

/** Rewrite the file once this many lines hold nothing open. */
const COMPACT_LINES = 1000

export class Inbox {
  private readonly file: string
  private seq = 0
  private lines = 0
  private readonly open = new Map<number, InboxEntry>()
  private loaded: Promise<InboxEntry[]> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor (dir: string) {
    this.file = path.join(dir, 'inbox.jsonl')
  }

  /** The entries left open by an earlier process: returned once, on the first call. */
  async replay (): Promise<InboxEntry[]> {
    if (this.loaded !== undefined) {
      await this.loaded
      return []
    }
    this.loaded = this.load()
    return await this.loaded
  }

  async add (message: Omit<InboxEntry, 'seq'>): Promise<InboxEntry> {
    await this.replayed()
    const entry = { ...message, seq: ++this.seq }
    this.open.set(entry.seq, entry)
    await this.append(entry)
    return entry
  }

  async done (seq: number): Promise<void> {
    if (!this.open.delete(seq)) return
    if (this.open.size === 0 && this.lines >= COMPACT_LINES) {
      this.lines = 0
      await this.serial(async () => { await writeTextFile(this.file, '') })
      return
    }
    await this.append({ done: seq })
  }

  private async replayed (): Promise<void> {
    if (this.loaded === undefined) this.loaded = this.load()
    await this.loaded
  }

  private async load (): Promise<InboxEntry[]> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return ''; throw err })
    for (const line of text.split('\n')) {
      let rec: Partial<InboxEntry> & { done?: unknown }
      try { rec = JSON.parse(line) } catch { continue }
      if (typeof rec?.done === 'number') this.open.delete(rec.done)
      else if (typeof rec?.seq === 'number' && typeof rec.peer === 'string' && typeof rec.text === 'string') {
        this.open.set(rec.seq, { seq: rec.seq, peer: rec.peer, text: rec.text, senderLabel: String(rec.senderLabel ?? rec.peer), at: Number(rec.at ?? 0) })
      }
      if (typeof rec?.seq === 'number') this.seq = Math.max(this.seq, rec.seq)
      this.lines++
    }
    return [...this.open.values()].sort((a, b) => a.seq - b.seq)
  }

  private async append (record: unknown): Promise<void> {
    this.lines++
    await this.serial(async () => {
      const handle = await open(this.file, 'a', 0o600)
      try {
        await handle.write(`${JSON.stringify(record)}\n`)
        await handle.datasync()
      } finally {
        await handle.close()
      }
    })
  }

  private async serial (work: () => Promise<void>): Promise<void> {
    const run = this.writing.then(work)
    this.writing = run.catch(() => {})
    await run
  }
}
