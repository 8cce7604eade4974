// The CLI as a pipeline citizen: a reader that stops early (`openclaw … | head -1`)
// ends the command quietly instead of crashing it with EPIPE.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net from 'node:net'
import { CLI, makeHome } from './support/spawn-gateway.js'

test('a closed stdout ends the command with status 0 and no stack trace', async (t) => {
  const home = await makeHome(t)
  // A listener that never answers keeps the status probe waiting; the reader is gone by the
  // time anything is printed (as with `| head -1` once head has its line).
  const silent = net.createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.after(() => { silent.close() })
  const port = (silent.address() as net.AddressInfo).port
  const child = spawn(process.execPath, [CLI, 'gateway', 'status', '--port', String(port), '--timeout', '300'], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.destroy()
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  assert.equal(code, 0)
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/)
})
