// channels.status and health.channels from the running accounts, in
// OpenClaw's shapes (channelOrder/Labels, channels summary, channelAccounts).
import type { ChannelAccountSnapshot, ChannelsStatusResult } from '../../schemas/rpc/channels.js'
import type { ChannelAccount } from './account.js'
import { defaultAccountId, type ChannelsManager } from './manager.js'

export function accountSnapshot (a: ChannelAccount): ChannelAccountSnapshot {
  const settings = 'error' in a.settings ? undefined : a.settings
  const firstSecret = a.def.secretKeys?.[0]
  const name = a.spec.raw.name
  return {
    ...a.details,
    accountId: a.accountId,
    ...(typeof name === 'string' ? { name } : {}),
    enabled: a.spec.enabled,
    configured: a.configured,
    running: a.running,
    connected: a.connected,
    lastConnectedAt: a.lastConnectedAt,
    lastError: a.lastError,
    lastStartAt: a.lastStartAt,
    lastStopAt: a.lastStopAt,
    lastInboundAt: a.lastInboundAt,
    lastOutboundAt: a.lastOutboundAt,
    lastProbeAt: a.lastProbeAt,
    busy: a.activeRuns > 0,
    activeRuns: a.activeRuns,
    ...(a.mode !== undefined ? { mode: a.mode } : {}),
    dmPolicy: a.policy,
    allowFrom: a.allowFrom,
    ...(firstSecret !== undefined ? { tokenSource: settings?.secretSources[firstSecret] ?? 'none' } : {}),
    ...(a.lastProbe !== undefined ? { probe: a.lastProbe } : {})
  }
}

export async function channelsStatus (manager: ChannelsManager, opts: { probe: boolean, timeoutMs: number, channel?: string, now: number }): Promise<ChannelsStatusResult> {
  const result: ChannelsStatusResult = { ts: opts.now, channelOrder: [], channelLabels: {}, channels: {}, channelAccounts: {}, channelDefaultAccountId: {} }
  for (const [id, entry] of manager.list()) {
    if (opts.channel !== undefined && opts.channel !== id) continue
    const accounts = [...entry.accounts.values()]
    if (opts.probe) await Promise.all(accounts.map(async (a) => await a.probe(opts.timeoutMs)))
    const snapshots = accounts.map(accountSnapshot)
    const defaultId = defaultAccountId(entry) ?? 'default'
    const main = snapshots.find((s) => s.accountId === defaultId)
    result.channelOrder.push(id)
    result.channelLabels[id] = entry.def.label
    result.channels[id] = summary(main)
    result.channelAccounts[id] = snapshots
    result.channelDefaultAccountId[id] = defaultId
  }
  for (const [id, c] of manager.simpleChannels()) {
    if (opts.channel !== undefined && opts.channel !== id) continue
    const snap = await c.snapshot() as ChannelAccountSnapshot
    result.channelOrder.push(id)
    result.channelLabels[id] = c.def.label
    result.channels[id] = summary(snap)
    result.channelAccounts[id] = [snap]
    result.channelDefaultAccountId[id] = 'default'
  }
  return result
}

/** `health.channels` and friends; empty while no channel is registered. */
export function channelsHealth (manager: ChannelsManager): { channels: Record<string, unknown>, channelOrder: string[], channelLabels: Record<string, string> } | Record<string, never> {
  if (manager.list().size === 0 && manager.simpleChannels().size === 0) return {}
  const channels: Record<string, unknown> = {}
  const channelLabels: Record<string, string> = {}
  for (const [id, entry] of manager.list()) {
    const snapshots = [...entry.accounts.values()].map(accountSnapshot)
    const main = snapshots.find((s) => s.accountId === (defaultAccountId(entry) ?? 'default'))
    channels[id] = { ...summary(main), accounts: Object.fromEntries(snapshots.map((s) => [s.accountId, { running: s.running, connected: s.connected, lastError: s.lastError ?? null }])) }
    channelLabels[id] = entry.def.label
  }
  for (const [id, c] of manager.simpleChannels()) {
    channels[id] = { configured: true, running: c.running, ...(c.lastError !== null ? { lastError: c.lastError } : {}) }
    channelLabels[id] = c.def.label
  }
  return { channels, channelOrder: Object.keys(channels), channelLabels }
}

function summary (main: ChannelAccountSnapshot | undefined): Record<string, unknown> {
  return {
    configured: main?.configured ?? false,
    running: main?.running ?? false,
    connected: main?.connected ?? false,
    ...(typeof main?.lastError === 'string' ? { lastError: main.lastError } : {})
  }
}
