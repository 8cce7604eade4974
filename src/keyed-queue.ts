// Per-key promise chains: tasks for the same key run one after another in call
// order, tasks for different keys run concurrently. The engine's session lanes
// and the session store's per-transcript writes are both one of these.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>()

  /** Runs `task` after every earlier task of the same key has settled. */
  run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task)
    // The tail never rejects, or one failed task would poison the key.
    const tail = result.then(NOOP, NOOP)
    this.tails.set(key, tail)
    // Forget idle keys so the map does not grow with every key ever seen.
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key) })
    return result
  }

  /** Keys with a task running or queued. */
  keys (): IterableIterator<string> {
    return this.tails.keys()
  }

  /** Resolves once every task queued so far (and any they queue) has settled. */
  async drain (): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()])
  }
}

const NOOP = (): void => {}
