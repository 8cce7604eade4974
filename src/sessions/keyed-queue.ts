/**
 * Per-key promise chains: tasks for the same key run one after another in call
 * order, tasks for different keys run concurrently. This is what keeps two
 * appends to one transcript from interleaving their bytes.
 */

export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  drain(): Promise<void>;
}

export function createKeyedQueue (): KeyedQueue {
  const tails = new Map<string, Promise<void>>()

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve()
      const result = previous.then(task)
      // The tail must never reject, or one failed task would poison the key.
      const tail = result.then(
        () => undefined,
        () => undefined
      )
      tails.set(key, tail)
      void tail.then(() => {
        // Forget idle keys so the map does not grow with every key ever seen.
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
    async drain (): Promise<void> {
      while (tails.size > 0) {
        await Promise.all([...tails.values()])
      }
    },
  }
}
