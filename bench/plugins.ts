// bench/plugins: what routing into a plugin's own Fastify instance costs.
//   node dist/bench/plugins.js [--seconds=12] [--rounds=4] [--connections=32]
// The gateway (in a child process, loopback) loads examples/hello-plugin; two
// equally trivial public GETs are compared in alternating rounds: the core probe
// `/health` ({ok, status}) and the plugin's `/plugins/hello/ping` ({ok, plugin}),
// which goes through the `/plugins/*` route and `instance.routing()`.
// Prints req/s, p50 under load, the ratio, and sequential p50 (one request at a time).
import http from 'node:http'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { autocannon, mean, spawnRole } from './support/load.js'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const HELLO = fileURLToPath(new URL('../examples/hello-plugin', import.meta.url))

async function gatewayRole (): Promise<void> {
  const { startBenchGateway } = await import('./support/gateway.js')
  const gateway = await startBenchGateway({ plugins: { load: { paths: [path.resolve(HELLO)] } } })
  process.send?.({ url: gateway.url })
  process.on('message', (m) => { if (m === 'stop') void gateway.close().then(() => process.exit(0)) })
}

async function sequentialP50 (url: string, n: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const once = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now()
    http.get(url, { agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url}: status ${String(res.statusCode)}`))
      res.resume().on('end', () => { resolve(performance.now() - t0) })
    }).on('error', reject)
  })
  for (let i = 0; i < 200; i++) await once()
  const xs: number[] = []
  for (let i = 0; i < n; i++) xs.push(await once())
  agent.destroy()
  return xs.sort((a, b) => a - b)[xs.length >> 1]!
}

async function main (): Promise<void> {
  const seconds = Number(arg('seconds', '12'))
  const rounds = Number(arg('rounds', '4'))
  const connections = Number(arg('connections', '32'))
  const { child, url: base } = await spawnRole(fileURLToPath(import.meta.url), 'gateway')
  const targets = [{ name: 'core /health', path: '/health' }, { name: 'plugin /plugins/hello/ping', path: '/plugins/hello/ping' }]
  const load = targets.map(() => ({ rps: [] as number[], p50: [] as number[], errors: 0 }))
  for (const t of targets) await autocannon({ url: base + t.path, connections, duration: 2 })
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0]
    for (const i of order) {
      const res = await autocannon({ url: base + targets[i]!.path, connections, duration: seconds / rounds })
      load[i]!.rps.push(res.requests.average)
      load[i]!.p50.push(res.latency.p50)
      load[i]!.errors += res.non2xx + res.errors
    }
  }
  for (const [i, t] of targets.entries()) {
    const seq = await sequentialP50(base + t.path, 2000)
    console.log(`${t.name.padEnd(28)} ${mean(load[i]!.rps).toFixed(0).padStart(7)} req/s  p50 ${mean(load[i]!.p50).toFixed(2)} ms  sequential p50 ${seq.toFixed(3)} ms  errors ${load[i]!.errors}`)
  }
  console.log(`plugin / core req/s: ${(mean(load[1]!.rps) / mean(load[0]!.rps)).toFixed(2)}`)
  child.send('stop')
}

if (arg('role', '') === 'gateway') await gatewayRole()
else await main()
