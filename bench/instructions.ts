// bench/instructions: instructions per request on the serving process's main
// thread, counted by valgrind's callgrind. On a shared 2-vCPU VM req/s and
// CPU time drift by ±10 % from minute to minute; this count moves by about
// ±1 % between runs, so it is the figure to compare when changing the hot path.
//   node dist/bench/instructions.js [--target=gateway|proxy] [--route=chat|responses|responses-unstored|messages]
//     [--warm=2000] [--requests=1500] [--json] [--env=K=V,…]
// Needs `valgrind` (Debian package). The target runs under callgrind with
// instrumentation off; after the warm-up requests it is switched on for the
// measured ones, and only the main thread's count is read (V8 compiles and
// collects garbage on other threads). The count includes what the kernel
// does not: it is user-space work only. `--env` passes variables to the
// target (for A/B switches while experimenting).
import { fork, spawn, execFileSync } from 'node:child_process'
import { readdir, readFile, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { autocannon, childUrl } from './support/load.js'
import { BENCH_TOKEN } from './support/token.js'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback

const HTTP_BENCH = fileURLToPath(new URL('./http.js', import.meta.url))

/** The gateway's routes, each asked the same one-line question (the proxy only knows chat completions). */
const ROUTES: Record<string, { path: string, body: (model: string, stream: boolean) => object }> = {
  chat: { path: '/v1/chat/completions', body: (model, stream) => ({ model, stream, messages: [{ role: 'user', content: 'hi' }] }) },
  responses: { path: '/v1/responses', body: (model, stream) => ({ model, stream, input: 'hi' }) },
  'responses-unstored': { path: '/v1/responses', body: (model, stream) => ({ model, stream, input: 'hi', store: false }) },
  messages: { path: '/v1/messages', body: (model, stream) => ({ model, stream, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) }
}

async function main (): Promise<void> {
  const target = arg('target', 'gateway')
  const warm = Number(arg('warm', '2000'))
  const measured = Number(arg('requests', '1500'))
  const stream = !process.argv.includes('--json')
  const route = ROUTES[arg('route', 'chat')]
  if (route === undefined) throw new Error(`--route must be one of ${Object.keys(ROUTES).join(', ')}`)
  const env = Object.fromEntries(arg('env', '').split(',').filter((kv) => kv !== '').map((kv) => kv.split('=') as [string, string]))
  const name = `ocgw-callgrind.${process.pid}`
  const out = `/tmp/${name}`

  const upstream = fork(HTTP_BENCH, ['--role=upstream'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const upstreamUrl = await childUrl(upstream, 'upstream', 120_000)
  const served = spawn('valgrind', [
    '-q', '--tool=callgrind', '--separate-threads=yes', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${out}`,
    process.execPath, HTTP_BENCH, `--role=${target === 'proxy' ? 'proxy' : 'gateway'}`, `--upstream=${upstreamUrl}`
  ], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  try {
    const url = await childUrl(served, target, 120_000)
    const body = JSON.stringify(route.body(target === 'proxy' ? 'echo' : 'openclaw', stream))
    const load = (amount: number) => autocannon({
      url: `${url}${route.path}`,
      method: 'POST',
      body,
      connections: 4,
      amount,
      timeout: 60,
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }
    })
    await load(warm)
    const control = (...args: string[]) => execFileSync('callgrind_control', [...args, String(served.pid)], { stdio: 'ignore' })
    control('-z')
    control('-i', 'on')
    const r = await load(measured)
    control('-i', 'off')
    control('-d')
    // The dump is written by the target itself, a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    // Thread 1 is the main thread: `<out>.1-01`.
    const dump = (await readdir('/tmp')).find((f) => f.startsWith(`${name}.`) && f.endsWith('-01'))
    if (dump === undefined) throw new Error('no callgrind dump for the main thread')
    const total = Number(/^totals: (\d+)/m.exec(await readFile(`/tmp/${dump}`, 'utf8'))?.[1] ?? NaN)
    const failed = r.non2xx + r.errors
    console.log(`${target} ${arg('route', 'chat')} ${stream ? 'streamed' : 'non-streamed'}: ${(total / r.requests.total / 1000).toFixed(1)}k instructions per request on the main thread (${r.requests.total} requests after ${warm} warm-up${failed > 0 ? `, ${failed} failed` : ''})`)
  } finally {
    served.send('stop')
    upstream.send('stop')
    await new Promise((resolve) => setTimeout(resolve, 2000))
    if (served.exitCode === null) served.kill('SIGKILL')
    for (const f of await readdir('/tmp')) if (f.startsWith(name)) await rm(`/tmp/${f}`, { force: true })
  }
}

await main()
