// A fake Telegram Bot API on 127.0.0.1:<random port>: long-polling getUpdates
// with Telegram's offset semantics (asking with offset N confirms every update
// below N), getMe, sendMessage and sendChatAction recorded, a token check, and
// scripted faults per method (an error body, HTML, a hang, a reset).
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type TelegramFault =
  | { type: 'json', status: number, body: unknown }
  | { type: 'html', status: number }
  | { type: 'hang' }
  | { type: 'destroy' }

export interface TelegramCall { method: string, token: string, body: any, /** Answered with a scripted fault or a 401. */ failed: boolean }

export interface FakeTelegram {
  /** What `channels.telegram.apiRoot` is set to. */
  readonly apiRoot: string
  readonly token: string
  /** Every call, in arrival order. */
  readonly calls: TelegramCall[]
  /** sendMessage bodies that were answered ok, in order. */
  sent: () => Array<{ chat_id: string, text: string }>
  /** A text message from a user in a private chat; returns its update_id. */
  pushMessage: (chatId: number, text: string, username?: string) => number
  /** Any update object; `update_id` is assigned when missing. */
  pushUpdate: (update: Record<string, unknown>) => number
  /** The next call of `method` gets this answer instead. */
  fault: (method: string, fault: TelegramFault) => void
  /** Updates Telegram still holds (not confirmed by an offset). */
  pending: () => number[]
  close: () => Promise<void>
}

export async function startFakeTelegram (token = '123456:TEST-token-abcdef'): Promise<FakeTelegram> {
  let nextId = 1000
  let updates: Array<Record<string, unknown> & { update_id: number }> = []
  const calls: TelegramCall[] = []
  const faults = new Map<string, TelegramFault[]>()
  const waiters = new Set<() => void>()
  const wake = () => { for (const w of [...waiters]) w() }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '')
      let body: any = {}
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') } catch {}
      if (match === null) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
      const [, tok, method] = match as unknown as [string, string, string]
      const fault = tok === token ? faults.get(method)?.shift() : undefined
      calls.push({ method, token: tok, body, failed: tok !== token || fault !== undefined })
      if (tok !== token) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' })
      if (fault !== undefined) return applyFault(fault, res)
      switch (method) {
        case 'getMe': return json(res, 200, { ok: true, result: { id: 4242, is_bot: true, first_name: 'Test', username: 'test_bot', can_join_groups: true, can_read_all_group_messages: false } })
        case 'sendMessage':
        case 'sendChatAction': return json(res, 200, { ok: true, result: method === 'sendMessage' ? { message_id: calls.length, chat: { id: Number(body.chat_id) }, text: body.text } : true })
        case 'getUpdates': return getUpdates(body, res)
        default: return json(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' })
      }
    })
  })

  const getUpdates = (body: { offset?: number, timeout?: number }, res: ServerResponse) => {
    const offset = typeof body.offset === 'number' ? body.offset : 0
    if (offset > 0) updates = updates.filter((u) => u.update_id >= offset)
    const ready = () => updates.filter((u) => u.update_id >= offset)
    if (ready().length > 0 || !(Number(body.timeout) > 0)) return json(res, 200, { ok: true, result: ready() })
    const done = () => {
      waiters.delete(done)
      clearTimeout(timer)
      if (!res.writableEnded && !res.destroyed) json(res, 200, { ok: true, result: ready() })
    }
    waiters.add(done)
    const timer = setTimeout(done, Number(body.timeout) * 1000)
    res.on('close', () => { waiters.delete(done); clearTimeout(timer) })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const pushUpdate = (update: Record<string, unknown>): number => {
    const id = typeof update.update_id === 'number' ? update.update_id : nextId++
    updates.push({ ...update, update_id: id })
    wake()
    return id
  }
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    sent: () => calls.filter((c) => c.method === 'sendMessage' && !c.failed).map((c) => c.body),
    pushMessage: (chatId, text, username = 'ada') => pushUpdate({
      message: { message_id: nextId, date: 1_700_000_000, chat: { id: chatId, type: 'private', username }, from: { id: chatId, is_bot: false, first_name: 'Ada', username }, text }
    }),
    pushUpdate,
    fault: (method, fault) => { faults.set(method, [...(faults.get(method) ?? []), fault]) },
    pending: () => updates.map((u) => u.update_id),
    close: async () => {
      wake()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function applyFault (fault: TelegramFault, res: ServerResponse): void {
  switch (fault.type) {
    case 'json': return json(res, fault.status, fault.body)
    case 'html':
      res.writeHead(fault.status, { 'content-type': 'text/html' })
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
      return
    case 'hang': return
    case 'destroy': res.socket?.destroy()
  }
}
