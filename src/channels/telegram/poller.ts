// The Telegram account loop: getMe, then long-polling getUpdates. Each text
// message goes to the gateway (chats in parallel, each chat in order); its
// update is marked handled once the gateway recorded it. Failures back off
// (429: retry_after; 5xx, timeouts, resets, non-JSON: doubling up to a minute);
// a refused token ends the loop with the error, it is not retried.
import type { ChannelAccountContext } from '../types.js'
import { BotApiError, callBotApi } from './bot-api.js'
import { OffsetStore } from './offset-store.js'
import type { TelegramConfig } from './config.js'

const MAX_BACKOFF_MS = 60_000

interface Update { update_id: number, message?: { chat?: { id?: unknown, username?: unknown, first_name?: unknown }, from?: { username?: unknown, first_name?: unknown }, text?: unknown } }

export async function runTelegramAccount (ctx: ChannelAccountContext<TelegramConfig>): Promise<void> {
  const { config, signal, log } = ctx
  const target = { apiRoot: config.apiRoot, token: config.botToken! }
  const store = new OffsetStore(ctx.stateDir)
  await store.load()
  ctx.report({ mode: 'polling' })
  let failures = 0
  let identified = false
  let connected = false
  while (!signal.aborted) {
    try {
      if (!identified) {
        const me = await callBotApi(target, 'getMe', {}, config.requestTimeoutMs, signal) as { id?: unknown, username?: unknown }
        // Connected from here: a long poll may hold its first answer for pollTimeoutSeconds.
        ctx.report({ details: { bot: { id: me?.id, username: me?.username } }, connected: true, lastError: null })
        identified = true
        connected = true
      }
      const updates = await callBotApi(target, 'getUpdates', { offset: store.offset, timeout: config.pollTimeoutSeconds, allowed_updates: ['message'] },
        config.pollTimeoutSeconds * 1000 + config.requestTimeoutMs, signal)
      // Reported on the change only: every report refreshes health.
      if (failures > 0 || !connected) ctx.report({ connected: true, lastError: null })
      connected = true
      failures = 0
      if (!Array.isArray(updates)) throw new BotApiError('invalid-response', 'getUpdates: the result is not a list')
      await handleBatch(ctx, store, updates)
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof BotApiError && err.kind === 'auth') throw err
      failures++
      const message = err instanceof Error ? err.message : String(err)
      const waitMs = err instanceof BotApiError && err.retryAfterMs !== undefined ? err.retryAfterMs : Math.min(1000 * 2 ** (failures - 1), MAX_BACKOFF_MS)
      log.warn({ error: message, attempt: failures, waitMs }, 'telegram polling failed; retrying')
      connected = false
      ctx.report({ connected: false, lastError: message })
      await ctx.sleep(waitMs, signal)
    }
  }
}

async function handleBatch (ctx: ChannelAccountContext<TelegramConfig>, store: OffsetStore, raw: unknown[]): Promise<void> {
  const updates = raw.filter((u): u is Update => typeof (u as Update)?.update_id === 'number' && Number.isSafeInteger((u as Update).update_id))
  if (updates.length < raw.length) ctx.log.warn({ dropped: raw.length - updates.length }, 'telegram updates without an update_id ignored')
  const byChat = new Map<string, Update[]>()
  for (const u of updates) {
    if (store.handled(u.update_id)) continue
    const chatId = u.message?.chat?.id
    const text = u.message?.text
    if ((typeof chatId !== 'number' && typeof chatId !== 'string') || typeof text !== 'string') {
      // Not a text message in a chat (an edit, a sticker, another update type): nothing to answer.
      ctx.log.debug({ updateId: u.update_id }, 'telegram update skipped: not a text message')
      await store.markDone(u.update_id)
      continue
    }
    const chat = String(chatId)
    byChat.set(chat, [...(byChat.get(chat) ?? []), u])
  }
  await Promise.all([...byChat].map(async ([peer, list]) => {
    for (const u of list) {
      const from = u.message?.from
      const label = typeof from?.username === 'string' ? `@${from.username}` : typeof from?.first_name === 'string' ? from.first_name : peer
      await ctx.receive({ peer, senderLabel: label, text: u.message!.text as string })
      await store.markDone(u.update_id)
    }
  }))
  await store.advance(updates.map((u) => u.update_id))
}
