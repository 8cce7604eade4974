// A lean OpenAI-compatible upstream for benchmarks: zero think time, no
// request recording (so a long run measures the gateway, not the fake).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface EchoUpstream { url: string, openaiBaseUrl: string, close: () => Promise<void> }

const WORDS = ['Hello', ' from', ' the', ' bench', ' upstream', '.']
// Bench clients and the gateway send compact JSON; the spaced form covers pretty-printed bodies.
const STREAM_TRUE = [Buffer.from('"stream":true'), Buffer.from('"stream": true')]

export async function startEchoUpstream (port = 0): Promise<EchoUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      // The only field it needs is `stream`: a byte search, not a JSON.parse
      // of the whole body (nor a string made of it). The upstream shares the
      // machine's cores with what is being measured, and reading a gateway's
      // request (system prompt and tool schemas, 3–20 KB) would tax the
      // gateway rows for work a real provider does on its own hardware.
      const body = Buffer.concat(chunks)
      const stream = STREAM_TRUE.some((needle) => body.includes(needle))
      if (!stream) {
        const body = JSON.stringify({
          id: 'chatcmpl-bench',
          object: 'chat.completion',
          created: 0,
          model: 'echo',
          choices: [{ index: 0, message: { role: 'assistant', content: WORDS.join('') }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 }
        })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        res.end(body)
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'echo', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
      let out = chunk({ role: 'assistant', content: '' })
      for (const w of WORDS) out += chunk({ content: w })
      out += chunk({}, 'stop')
      out += `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'echo', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })}\n\n`
      out += 'data: [DONE]\n\n'
      res.end(out)
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
