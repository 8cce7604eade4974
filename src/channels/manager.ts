// The channels feature's core: keeps one ChannelAccount per configured account
// of every registered channel, in step with the config and the plugins
// (reconcile: a changed account restarts, the others keep running), and
// answers start / stop / logout / probe / pairing for the WS methods.
import path from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { GatewayConfig } from '../../schemas/config.js'
import type { Env } from '../config/paths.js'
import type { ChannelDefinition } from '../plugin-api.js'
import { logoutUnsupported, notStartable, pairingRequestGone, unknownAccount, unknownChannel } from '../errors/channels.js'
import { accountSpecs, resolveAccount, type AccountSpec } from './account-config.js'
import { ChannelAccount, type AccountDeps } from './account.js'
import type { PairingRequest } from './access.js'
import { Inbox } from './inbox.js'
import { SimpleChannel } from './simple-channel.js'
import type { ChannelAccounts } from './types.js'

export interface ChannelsManagerDeps {
  registry: () => ReadonlyArray<{ pluginId: string, channel: ChannelDefinition }>
  config: () => Readonly<GatewayConfig>
  env: Env
  engine: AccountDeps['engine']
  log: FastifyBaseLogger
  now: () => number
  sleep: AccountDeps['sleep']
  stateDir: string
  changed: () => void
  drainMs?: number
}

export interface ChannelEntry { def: ChannelDefinition, accounts: Map<string, ChannelAccount> }

export class ChannelsManager {
  private readonly channels = new Map<string, ChannelEntry>()
  private readonly simple = new Map<string, SimpleChannel>()
  private readonly inboxes = new Map<string, Inbox>()
  private readonly fingerprints = new WeakMap<ChannelAccount, string>()
  /** Accounts an operator stopped (channels.stop): not restarted until channels.start or a change of their settings. */
  private readonly stopped = new Set<string>()
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor (private readonly deps: ChannelsManagerDeps) {}

  /** Channels with per-account runtime, in registration order. */
  list (): ReadonlyMap<string, ChannelEntry> { return this.channels }

  /** Channels without accounts (start / stop / status only). */
  simpleChannels (): ReadonlyMap<string, SimpleChannel> { return this.simple }

  /** Queued: brings the accounts in line with the config and the registered channels. */
  reconcile (): Promise<void> {
    return this.serial(async () => {
      await this.apply().catch((err: unknown) => { this.deps.log.error({ err }, 'channels reconcile failed') })
    })
  }

  async start (channel: string, accountId?: string): Promise<{ account: ChannelAccount, started: boolean }> {
    return await this.serial(async () => {
      const account = this.find(channel, accountId)
      this.stopped.delete(key(channel, account.accountId))
      if (!account.running) {
        if ('error' in account.settings) throw notStartable(channel, account.accountId, account.settings.error)
        if (!account.spec.enabled) throw notStartable(channel, account.accountId, 'disabled in the config')
        if (!account.configured) throw notStartable(channel, account.accountId, 'not configured')
        await account.start()
      }
      return { account, started: account.running }
    })
  }

  async stop (channel: string, accountId?: string): Promise<ChannelAccount> {
    return await this.serial(async () => {
      const account = this.find(channel, accountId)
      this.stopped.add(key(channel, account.accountId))
      await account.stop()
      return account
    })
  }

  async logout (channel: string, accountId?: string): Promise<{ account: ChannelAccount, cleared: boolean }> {
    return await this.serial(async () => {
      const account = this.find(channel, accountId)
      if (account.def.logout === undefined) throw logoutUnsupported(channel)
      this.stopped.add(key(channel, account.accountId))
      await account.stop()
      const { cleared } = await account.def.logout({ accountId: account.accountId, stateDir: this.accountDir(channel, account.accountId) })
      return { account, cleared }
    })
  }

  /** The account of a channel (`accountId` omitted: the default one). */
  find (channel: string, accountId?: string): ChannelAccount {
    const entry = this.channels.get(channel)
    if (entry === undefined) throw unknownChannel(channel)
    const id = accountId === undefined || accountId === '' ? defaultAccountId(entry) : accountId
    const account = id === undefined ? undefined : entry.accounts.get(id)
    if (account === undefined) throw unknownAccount(channel, id ?? 'default')
    return account
  }

  pairingRequests (channel?: string, accountId?: string): Array<{ channel: string, label: string, account: ChannelAccount, request: PairingRequest }> {
    const out = []
    for (const [id, entry] of this.channels) {
      if (channel !== undefined && channel !== id) continue
      for (const account of entry.accounts.values()) {
        if (accountId !== undefined && accountId !== account.accountId) continue
        for (const request of account.access.pending()) out.push({ channel: id, label: entry.def.label, account, request })
      }
    }
    return out
  }

  async approve (channel: string, accountId: string, code: string, notify: boolean): Promise<{ request: PairingRequest, notified: 'not-requested' | 'sent' | 'failed' }> {
    const account = this.find(channel, accountId)
    const request = await account.access.approve(code)
    if (request === undefined) throw pairingRequestGone()
    this.deps.log.info({ channel, account: accountId, peer: request.peer }, 'pairing approved')
    if (!notify) return { request, notified: 'not-requested' }
    const sent = await account.notify(request.peer, 'Your access was approved: you can talk to the agent now.')
    return { request, notified: sent ? 'sent' : 'failed' }
  }

  async dismiss (channel: string, accountId: string, code: string): Promise<PairingRequest> {
    const request = await this.find(channel, accountId).access.dismiss(code)
    if (request === undefined) throw pairingRequestGone()
    return request
  }

  async close (): Promise<void> {
    this.closed = true
    await this.serial(async () => {
      // The gateway is stopping: its runs are aborted anyway, so replies in flight are not waited for.
      await Promise.all([...this.channels.values()].flatMap((e) => [...e.accounts.values()].map(async (a) => { await a.stop(0) })))
      await Promise.all([...this.simple.values()].map(async (c) => { await c.stop() }))
      this.channels.clear()
      this.simple.clear()
    })
  }

  private async apply (): Promise<void> {
    if (this.closed) return
    const config = this.deps.config()
    await this.applySimple()
    const registered = this.deps.registry().filter((r) => r.channel.accounts !== undefined)
    const ids = new Set(registered.map((r) => r.channel.id))
    for (const [id, entry] of this.channels) {
      if (ids.has(id)) continue
      await Promise.all([...entry.accounts.values()].map(async (a) => { await a.stop() }))
      this.channels.delete(id)
    }
    for (const { channel: def } of registered) {
      const entry = this.channels.get(def.id) ?? { def, accounts: new Map<string, ChannelAccount>() }
      const next = new Map<string, ChannelAccount>()
      for (const spec of accountSpecs(def.id, config.channels?.[def.id])) {
        next.set(spec.accountId, await this.applyAccount(def, entry, spec, config))
      }
      for (const [id, old] of entry.accounts) if (!next.has(id)) await old.stop()
      this.channels.set(def.id, { def, accounts: next })
    }
    this.deps.changed()
  }

  private async applySimple (): Promise<void> {
    const defs = this.deps.registry().filter((r) => r.channel.accounts === undefined).map((r) => r.channel)
    for (const [id, c] of this.simple) {
      if (defs.includes(c.def)) continue
      await c.stop()
      this.simple.delete(id)
    }
    for (const def of defs) {
      if (this.simple.get(def.id)?.def === def) continue
      const c = new SimpleChannel(def, this.deps.log.child({ channel: def.id }), this.deps.now)
      this.simple.set(def.id, c)
      await c.start()
    }
  }

  private async applyAccount (def: ChannelDefinition, entry: ChannelEntry, spec: AccountSpec, config: Readonly<GatewayConfig>): Promise<ChannelAccount> {
    const accounts = def.accounts as ChannelAccounts
    const resolved = await resolveAccount(spec, accounts, config, this.deps.env)
    const fingerprint = `${resolved.fingerprint}:${String(spec.enabled)}`
    const old = entry.accounts.get(spec.accountId)
    if (old !== undefined && old.def === accounts && this.fingerprints.get(old) === fingerprint) return old
    const k = key(def.id, spec.accountId)
    if (old !== undefined) {
      await old.stop()
      this.stopped.delete(k)
    }
    const settings = resolved.ok
      ? { config: resolved.config, configured: resolved.configured, secretSources: resolved.secretSources, secrets: (accounts.secretKeys ?? []).map((s) => resolved.config[s]).filter((v): v is string => typeof v === 'string') }
      : { error: resolved.error }
    const log = this.deps.log.child({ channel: def.id, account: spec.accountId })
    if (!resolved.ok) log.error({ error: resolved.error }, `channel account not started: ${resolved.error}`)
    const account = new ChannelAccount({
      channelId: def.id,
      engine: this.deps.engine,
      log,
      now: this.deps.now,
      sleep: this.deps.sleep,
      stateDir: this.accountDir(def.id, spec.accountId),
      inbox: this.inboxes.get(k) ?? this.inboxes.set(k, new Inbox(this.accountDir(def.id, spec.accountId))).get(k)!,
      changed: this.deps.changed,
      drainMs: this.deps.drainMs
    }, spec, accounts, settings)
    this.fingerprints.set(account, fingerprint)
    if (!this.stopped.has(k)) {
      await account.start().catch((err: unknown) => {
        account.report({ lastError: `start failed: ${err instanceof Error ? err.message : String(err)}` })
      })
    }
    return account
  }

  private accountDir (channel: string, accountId: string): string {
    return path.join(this.deps.stateDir, 'channels', channel, encodeURIComponent(accountId))
  }

  private async serial<T> (work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work)
    this.queue = run.catch(() => {})
    return await run
  }
}

export function defaultAccountId (entry: ChannelEntry): string | undefined {
  if (entry.accounts.has('default')) return 'default'
  return entry.accounts.keys().next().value
}

function key (channel: string, accountId: string): string {
  return `${channel}\0${accountId}`
}
