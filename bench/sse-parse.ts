// bench/sse-parse: our SSE parser (src/providers/sse.ts) against the npm
// package `eventsource-parser`, on what upstreams send: chat-completion chunks
// of a few words each, split into network reads at odd places.
//   node dist/bench/sse-parse.js --module=<eventsource-parser's dist/index.js> [--rounds=7] [--streams=400] [--only=ours|package]
// The package is not a dependency (ours won, see bench/README.md): install it in a scratch
// directory (`npm install eventsource-parser` there) and point --module at it.
// `--only` runs one parser for a fixed amount of work (to count instructions
// under callgrind); without it both run in alternating rounds and the median
// CPU time per event of each is printed with their ratio.
import { StringDecoder } from 'node:string_decoder'
import { createSseParser } from '../src/providers/sse.js'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback

interface EventsourceParser { feed: (chunk: string) => void, reset: (opts?: { consume?: boolean }) => void }
interface EventsourceModule { createParser: (callbacks: { onEvent: (event: { event?: string, data: string, id?: string }) => void }) => EventsourceParser }

/** A deterministic PRNG (mulberry32), so every run splits the streams the same way. */
function random (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['The', ' gateway', ' streams', ' tokens', ',', ' one', ' or', ' two', ' words', ' at', ' a', ' time', ' — ', 'naïve', ' 🙂', '.\n']

/** One answer as an upstream sends it: `data:` lines of chat.completion.chunk JSON, usage, [DONE]. */
function answer (rnd: () => number, chunks: number): string {
  const frame = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'chatcmpl-9x8Yb2kQ', object: 'chat.completion.chunk', created: 1733490000, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp_7f6be3efb0', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`
  let out = frame({ role: 'assistant', content: '', refusal: null })
  for (let i = 0; i < chunks; i++) out += frame({ content: WORDS[Math.floor(rnd() * WORDS.length)]! + (rnd() < 0.3 ? WORDS[Math.floor(rnd() * WORDS.length)]! : '') })
  out += frame({}, 'stop')
  out += `data: ${JSON.stringify({ id: 'chatcmpl-9x8Yb2kQ', object: 'chat.completion.chunk', created: 1733490000, model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 812, completion_tokens: chunks, total_tokens: 812 + chunks } })}\n\n`
  return `${out}data: [DONE]\n\n`
}

/**
 * The bytes of one answer as reads: mostly a frame or two at a time (a fast
 * upstream's pace), cut anywhere, sometimes inside a multi-byte character.
 */
function reads (rnd: () => number, bytes: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < bytes.length;) {
    const r = rnd()
    const size = r < 0.6 ? 150 + Math.floor(rnd() * 250) : r < 0.9 ? 1 + Math.floor(rnd() * 60) : 400 + Math.floor(rnd() * 1100)
    out.push(bytes.subarray(at, at + size))
    at += size
  }
  return out
}

type Parse = (streams: Buffer[][]) => number

const ours: Parse = (streams) => {
  let events = 0
  for (const stream of streams) {
    const text = new StringDecoder('utf8')
    const parser = createSseParser()
    for (const read of stream) events += parser.push(text.write(read)).length
    events += parser.push(text.end()).length + parser.end().length
  }
  return events
}

function packageParse (mod: EventsourceModule): Parse {
  return (streams) => {
    let events = 0
    for (const stream of streams) {
      const text = new StringDecoder('utf8')
      // The same work as ours: each read's events collected into an array for the decoder.
      let batch: Array<{ event?: string, data: string }> = []
      const parser = mod.createParser({ onEvent: (event) => { batch.push(event) } })
      for (const read of stream) {
        parser.feed(text.write(read))
        events += batch.length
        batch = []
      }
      parser.feed(text.end())
      parser.reset({ consume: true })
      events += batch.length
    }
    return events
  }
}

function cpuMicros (): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

async function main (): Promise<void> {
  const rnd = random(7)
  const count = Number(arg('streams', '400'))
  const streams = Array.from({ length: count }, () => reads(rnd, Buffer.from(answer(rnd, 20 + Math.floor(rnd() * 380)))))
  const readCount = streams.reduce((n, s) => n + s.length, 0)
  const mod = await import(arg('module', 'eventsource-parser')).catch((err: unknown) => {
    throw new Error('eventsource-parser not found: pass --module=<path to its dist/index.js>', { cause: err })
  }) as EventsourceModule
  const parsers: Array<[string, Parse]> = [['src/providers/sse.ts', ours], ['eventsource-parser', packageParse(mod)]]
  const expected = ours(streams)
  for (const [name, parse] of parsers) if (parse(streams) !== expected) throw new Error(`${name} found a different number of events`)

  const only = arg('only', '')
  if (only !== '') {
    const parse = only === 'ours' ? ours : packageParse(mod)
    for (let i = 0; i < Number(arg('repeat', '5')); i++) parse(streams)
    return
  }
  console.log(`${count} answers, ${expected} events in ${readCount} reads`)
  const rounds = Number(arg('rounds', '7'))
  const per: number[][] = parsers.map(() => [])
  for (let r = 0; r < rounds + 1; r++) {
    // Every other round in reverse order; the first round only warms up.
    const order = r % 2 === 0 ? [0, 1] : [1, 0]
    for (const i of order) {
      const start = cpuMicros()
      parsers[i]![1](streams)
      if (r > 0) per[i]!.push(((cpuMicros() - start) * 1000) / expected)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  for (const [i, [name]] of parsers.entries()) console.log(`${name.padEnd(22)} ${median(per[i]!).toFixed(0).padStart(5)} ns per event (rounds: ${per[i]!.map((x) => x.toFixed(0)).join(', ')})`)
  console.log(`eventsource-parser / ours: ${(median(per[1]!) / median(per[0]!)).toFixed(2)}×`)
}

await main()
