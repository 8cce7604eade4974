// Teardown in the reverse order of setup, as with `defer`: node:test runs
// t.after hooks in the order they were registered, so a gateway started first
// would close while a browser page opened after it still reconnects to it.
import type { TestContext } from 'node:test'

const stacks = new WeakMap<TestContext, Array<() => unknown>>()

/** Runs `fn` when the test ends, before everything deferred earlier in the same test. */
export function defer (t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t)
  if (stack === undefined) {
    const own: Array<() => unknown> = []
    stacks.set(t, own)
    stack = own
    t.after(async () => {
      let first: unknown
      for (const cleanup of own.reverse()) {
        try { await cleanup() } catch (err) { first ??= err }
      }
      if (first !== undefined) throw first
    })
  }
  stack.push(fn)
}
