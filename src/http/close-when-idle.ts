// Node's server.close() closes the keep-alive connections that are idle at
// that moment. One whose request is still in flight stays open after its
// response until the keep-alive timeout (72 s), and holds up a stop or an
// in-process restart that long: seen as a Control UI's restart that never
// came back. Until the server has closed, such connections are closed as
// soon as they go idle; one that never goes idle (a request that never
// finishes arriving, a handler that never answers) is cut at the deadline,
// so a stop or a restart always completes.
import type { Server } from 'node:http'

/** How long a stop waits for the HTTP connections still open when it began. */
const CLOSE_DEADLINE_MS = 5_000

export function closeWhenIdle (server: Server, { everyMs = 100, deadlineMs = CLOSE_DEADLINE_MS } = {}): void {
  if (!server.listening) return
  const sweep = setInterval(() => { server.closeIdleConnections() }, everyMs)
  sweep.unref()
  const deadline = setTimeout(() => { server.closeAllConnections() }, deadlineMs)
  deadline.unref()
  server.once('close', () => {
    clearInterval(sweep)
    clearTimeout(deadline)
  })
}
