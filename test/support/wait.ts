// The one way tests wait for a condition: poll it with a deadline generous
// enough for a busy 2-core CI host, and fail saying what never happened.
import { setTimeout as sleep } from 'node:timers/promises'

export const WAIT_DEADLINE_MS = 15_000

export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = WAIT_DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}
