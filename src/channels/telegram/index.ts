// Telegram, the bundled channel plugin (docs/channels.md): written with the
// public plugin API like any third-party channel. Long polling, plain-text
// replies (no parse mode: nothing to escape, nothing rendered by surprise).
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { definePlugin } from '../../plugin-api.js'
import type { ChannelAccounts } from '../types.js'
import { callBotApi, type BotApiError } from './bot-api.js'
import { TelegramAccountConfig, type TelegramConfig } from './config.js'
import { runTelegramAccount } from './poller.js'

const target = (c: TelegramConfig) => ({ apiRoot: c.apiRoot, token: c.botToken ?? '' })

const accounts: ChannelAccounts<TelegramConfig> = {
  configSchema: TelegramAccountConfig,
  secretKeys: ['botToken'],
  isConfigured: (c) => typeof c.botToken === 'string' && c.botToken !== '',
  run: runTelegramAccount,
  probe: async (c, signal) => {
    try {
      const me = await callBotApi(target(c), 'getMe', {}, c.requestTimeoutMs, signal) as Record<string, unknown>
      return { ok: true, bot: { id: me.id, username: me.username, canJoinGroups: me.can_join_groups, canReadAllGroupMessages: me.can_read_all_group_messages } }
    } catch (err) {
      const e = err as BotApiError
      return { ok: false, error: e.message, ...(e.status !== undefined ? { status: e.status } : {}) }
    }
  },
  send: async (c, peer, text, signal) => {
    await callBotApi(target(c), 'sendMessage', { chat_id: peer, text, link_preview_options: { is_disabled: true } }, c.requestTimeoutMs, signal)
  },
  typing: async (c, peer, signal) => {
    await callBotApi(target(c), 'sendChatAction', { chat_id: peer, action: 'typing' }, c.requestTimeoutMs, signal)
  },
  // Telegram has no session to end: a logout forgets the local polling state.
  logout: async ({ stateDir }) => {
    await rm(path.join(stateDir, 'offset.json'), { force: true })
    return { cleared: true }
  },
  textLimit: 4096,
  // The indicator lasts about five seconds on the client.
  typingIntervalMs: 4000
}

export default definePlugin({
  id: 'telegram',
  name: 'Telegram',
  description: 'Chat with an agent through a Telegram bot (Bot API long polling).',
  register (ctx) {
    ctx.channels.add({ id: 'telegram', label: 'Telegram', accounts })
  }
})
