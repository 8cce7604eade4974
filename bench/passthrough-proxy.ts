// The baseline the gateway is measured against: the least a proxy can do.
// node:http in, an undici keep-alive pool out, the body streamed back as it
// arrives. No auth, no validation, no parsing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'

export interface PassthroughProxy { url: string, close: () => Promise<void> }

export async function startPassthroughProxy (upstreamOrigin: string, port = 0): Promise<PassthroughProxy> {
  const pool = new Pool(upstreamOrigin, { connections: 256, keepAliveTimeout: 30_000 })

  async function forward (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const upstream = await pool.request({
      method: (req.method ?? 'GET') as 'GET' | 'POST',
      path: req.url ?? '/',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: chunks.length > 0 ? Buffer.concat(chunks) : null
    })
    const type = upstream.headers['content-type']
    res.writeHead(upstream.statusCode, typeof type === 'string' ? { 'content-type': type } : {})
    for await (const c of upstream.body) res.write(c)
    res.end()
  }

  const server: Server = createServer((req, res) => {
    forward(req, res).catch(() => { if (!res.headersSent) res.writeHead(502); res.end() })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await pool.close()
    }
  }
}
