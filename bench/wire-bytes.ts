// bench/wire-bytes: how much of the streamed /v1/responses row's gap to chat
// is the size of the Responses stream itself, whoever writes it.
//   node dist/bench/wire-bytes.js [--seconds=24] [--rounds=12] [--connections=32]
// One gateway process (loopback, behind the echo upstream of bench/http) serves
// four streamed answers to the same one-line question, in alternating rounds:
// - chat completions;
// - chat completions followed by an SSE comment (`: xxx…`, which every client
//   skips) that makes its stream exactly as long as the Responses stream:
//   the Responses format's extra bytes on the wire, with none of its work;
// - /v1/responses with `store: false`, and stored (the default).
// Each is judged round by round against chat (its req/s over chat's in the
// same round; the verdict is the median), beside the gateway's CPU per request.
// The comment is added by this script's gateway process, not by the gateway:
// it wraps ServerResponse#end for requests carrying `x-bench-pad: <bytes>`
// (every case sends the header, so their requests are the same size).
import type { ChildProcess } from 'node:child_process'
import { ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { autocannon, cpuSeconds, median, spawnRole, stopChildren } from './support/load.js'
import { BENCH_TOKEN } from './support/token.js'

const SCRIPT = fileURLToPath(import.meta.url)
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const HEADERS = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }

interface Case { name: string, path: string, body: string, pad: number }

async function runRole (role: string): Promise<void> {
  let url: string
  let close: () => Promise<void>
  if (role === 'upstream') {
    const { startEchoUpstream } = await import('./support/echo-upstream.js')
    ;({ url, close } = await startEchoUpstream())
  } else {
    padStreamEnds()
    const { echoAgentConfig, startBenchGateway } = await import('./support/gateway.js')
    ;({ url, close } = await startBenchGateway(echoAgentConfig(arg('upstream', ''))))
  }
  process.send?.({ url })
  process.on('message', (m) => { if (m === 'stop') void close().then(() => process.exit(0)) })
}

/** Appends `x-bench-pad` bytes of SSE comment to the last write of a response ended with a string (the gateway's streams end so). */
function padStreamEnds (): void {
  const end = ServerResponse.prototype.end
  const comments = new Map<string, string>()
  ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    const bytes = this.req?.headers['x-bench-pad']
    if (typeof bytes === 'string' && bytes !== '0' && typeof args[0] === 'string') {
      let comment = comments.get(bytes)
      if (comment === undefined) {
        comment = `: ${'x'.repeat(Number(bytes) - 4)}\n\n`
        comments.set(bytes, comment)
      }
      args[0] += comment
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args)
  } as typeof end
}

/** The body of one streamed answer, to size the padding. */
async function streamBytes (url: string, c: Case): Promise<number> {
  const res = await fetch(`${url}${c.path}`, { method: 'POST', headers: { ...HEADERS, 'x-bench-pad': String(c.pad) }, body: c.body })
  if (res.status !== 200) throw new Error(`${c.name}: status ${res.status}`)
  return (await res.arrayBuffer()).byteLength
}

async function main (): Promise<void> {
  const seconds = Number(arg('seconds', '24'))
  const rounds = Number(arg('rounds', '12'))
  const connections = Number(arg('connections', '32'))
  const children: ChildProcess[] = []
  try {
    const upstream = await spawnRole(SCRIPT, 'upstream')
    children.push(upstream.child)
    const gateway = await spawnRole(SCRIPT, 'gateway', [`--upstream=${upstream.url}`])
    children.push(gateway.child)

    const chat: Case = { name: 'chat completions', path: '/v1/chat/completions', body: JSON.stringify({ model: 'openclaw', stream: true, messages: [{ role: 'user', content: 'hi' }] }), pad: 0 }
    const unstored: Case = { name: '/v1/responses (store: false)', path: '/v1/responses', body: JSON.stringify({ model: 'openclaw', stream: true, input: 'hi', store: false }), pad: 0 }
    const stored: Case = { name: '/v1/responses (stored)', path: '/v1/responses', body: JSON.stringify({ model: 'openclaw', stream: true, input: 'hi' }), pad: 0 }
    const chatBytes = await streamBytes(gateway.url, chat)
    const responsesBytes = await streamBytes(gateway.url, stored)
    const padded: Case = { ...chat, name: `chat completions + ${responsesBytes - chatBytes} B of comment`, pad: responsesBytes - chatBytes }
    if (await streamBytes(gateway.url, padded) !== responsesBytes) throw new Error('the padded chat stream is not as long as the Responses stream')
    const cases = [chat, padded, unstored, stored]

    const run = (c: Case, duration: number) => autocannon({ url: `${gateway.url}${c.path}`, method: 'POST', headers: { ...HEADERS, 'x-bench-pad': String(c.pad) }, body: c.body, connections, duration })
    for (const c of cases) await run(c, 2)
    const rps = cases.map((): number[] => [])
    const cpu = cases.map(() => ({ seconds: 0, requests: 0 }))
    for (let round = 0; round < rounds; round++) {
      const order = [...cases.keys()]
      // Every other round in reverse: no case always follows the same neighbour.
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const before = await cpuSeconds(gateway.child.pid)
        const r = await run(cases[i]!, seconds / rounds)
        const after = await cpuSeconds(gateway.child.pid)
        if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${cases[i]!.name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
        rps[i]!.push(r.requests.average)
        if (before !== undefined && after !== undefined) { cpu[i]!.seconds += after - before; cpu[i]!.requests += r.requests.total }
      }
    }

    const pct = (x: number) => `${(100 * x).toFixed(0)} %`
    const cpuUs = (i: number) => cpu[i]!.requests > 0 ? (cpu[i]!.seconds * 1e6 / cpu[i]!.requests).toFixed(0) : '-'
    /** Round by round against case `j`, then the median. */
    const versus = (i: number, j: number) => median(rps[i]!.map((x, round) => x / rps[j]![round]!))
    console.log(`\nStreamed answers, one gateway process, ${connections} connections, ${seconds} s per case in ${rounds} alternating rounds; a chat stream is ${chatBytes} B, a Responses stream ${responsesBytes} B`)
    console.log('case                                      req/s   vs chat   cpu µs/req')
    for (const [i, c] of cases.entries()) {
      console.log(`${c.name.padEnd(40)}${median(rps[i]!).toFixed(0).padStart(7)}${pct(versus(i, 0)).padStart(10)}${cpuUs(i).padStart(13)}`)
    }
    console.log(`the Responses route beyond its bytes: store: false ${pct(versus(2, 1))}, stored ${pct(versus(3, 1))} of the padded chat stream (round by round, median)`)
  } finally {
    await stopChildren(children)
  }
}

const role = arg('role', '')
if (role !== '') await runRole(role)
else await main()
