// Which Telegram updates are handled, kept in the account's offset.json:
// `offset` is the next update id to ask for (everything below it is handled
// and confirmed to Telegram), `done` the handled ids at or above it. An id is
// marked done only after the gateway recorded the message, so a restart asks
// again for what was not recorded and skips what was.
import path from 'node:path'
import { readJsonFile, writeJsonFile } from '../state-file.js'

export class OffsetStore {
  offset = 0
  private done = new Set<number>()
  private readonly file: string
  private writing: Promise<void> = Promise.resolve()

  constructor (dir: string) {
    this.file = path.join(dir, 'offset.json')
  }

  async load (): Promise<void> {
    const data = await readJsonFile(this.file) as { offset?: unknown, done?: unknown } | undefined
    if (typeof data?.offset === 'number' && Number.isSafeInteger(data.offset)) this.offset = data.offset
    if (Array.isArray(data?.done)) this.done = new Set(data.done.filter((n): n is number => Number.isSafeInteger(n) && n >= this.offset))
  }

  handled (id: number): boolean {
    return id < this.offset || this.done.has(id)
  }

  async markDone (id: number): Promise<void> {
    this.done.add(id)
    await this.save()
  }

  /** After a batch: the offset moves past every handled id that has no unhandled one before it. */
  async advance (batchIds: readonly number[]): Promise<void> {
    const sorted = [...batchIds].sort((a, b) => a - b)
    let next = this.offset
    for (const id of sorted) {
      if (id < next) continue
      if (!this.done.has(id)) break
      next = id + 1
    }
    if (next === this.offset) return
    this.offset = next
    for (const id of this.done) if (id < next) this.done.delete(id)
    await this.save()
  }

  private async save (): Promise<void> {
    const snapshot = { offset: this.offset, done: [...this.done] }
    const run = this.writing.then(async () => { await writeJsonFile(this.file, snapshot) })
    this.writing = run.catch(() => {})
    await run
  }
}
