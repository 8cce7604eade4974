// One running channel account: starts and stops the channel's `run`, checks
// each inbound message against the allow-list, hands allowed ones to the agent
// on the peer's session, and sends the reply back in service-sized parts
// with a typing indicator while the run works. Keeps the account's status.
import { mkdir } from 'node:fs/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { AgentEngine } from '../agents/engine.js'
import type { RunHandle } from '../agents/active-run.js'
import { AccessStore, type DmPolicy } from './access.js'
import type { AccountSpec } from './account-config.js'
import type { Inbox, InboxEntry } from './inbox.js'
import { splitText } from './split-text.js'
import type { AccountRuntimePatch, ChannelAccounts, ChannelProbeResult, InboundMessage, InboundOutcome } from './types.js'

export interface AccountDeps {
  channelId: string
  engine: Pick<AgentEngine, 'start' | 'resolveAgent'>
  log: FastifyBaseLogger
  now: () => number
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** This account's own directory. */
  stateDir: string
  /** Outlives restarts of the account within the process (messages admitted stay admitted). */
  inbox: Inbox
  /** Called when the status changed (health is refreshed). */
  changed: () => void
  /** How long a stop waits for replies in flight (default 5 s). */
  drainMs?: number
}

export interface AccountSettings {
  config: Readonly<Record<string, unknown>>
  configured: boolean
  secretSources: Record<string, string>
  /** Resolved secret values: scrubbed from every error the account reports. */
  secrets: string[]
}

const SEND_ATTEMPTS = 4

export class ChannelAccount {
  readonly accountId: string
  readonly access: AccessStore
  running = false
  connected = false
  lastError: string | null = null
  lastStartAt: number | null = null
  lastStopAt: number | null = null
  lastInboundAt: number | null = null
  /** When the account last went from disconnected to connected. */
  lastConnectedAt: number | null = null
  lastOutboundAt: number | null = null
  lastProbeAt: number | null = null
  lastProbe: ChannelProbeResult | undefined
  mode: string | undefined
  details: Record<string, unknown> = {}
  private runAbort: AbortController | undefined
  private sendAbort = new AbortController()
  private loop: Promise<void> | undefined
  private readonly inflight = new Set<Promise<void>>()

  constructor (
    private readonly deps: AccountDeps,
    readonly spec: AccountSpec,
    readonly def: ChannelAccounts,
    readonly settings: AccountSettings | { error: string }
  ) {
    this.accountId = spec.accountId
    this.access = new AccessStore(deps.stateDir, deps.now)
    if ('error' in settings) this.lastError = settings.error
  }

  get configured (): boolean { return !('error' in this.settings) && this.settings.configured }
  get activeRuns (): number { return this.inflight.size }
  get policy (): DmPolicy { return (['pairing', 'allowlist', 'open', 'disabled'] as const).find((p) => p === this.spec.raw.dmPolicy) ?? 'pairing' }
  get allowFrom (): string[] { return Array.isArray(this.spec.raw.allowFrom) ? this.spec.raw.allowFrom.map(String) : [] }

  /** Starts the channel's loop; false when the account cannot run (disabled, not configured, invalid). */
  async start (): Promise<boolean> {
    if (this.running) return true
    if ('error' in this.settings || !this.spec.enabled || !this.settings.configured) return false
    const settings = this.settings
    await mkdir(this.deps.stateDir, { recursive: true, mode: 0o700 })
    await this.access.load()
    // Messages a previous process accepted but never got into a transcript.
    for (const entry of await this.deps.inbox.replay()) this.dispatch(entry)
    const abort = new AbortController()
    this.runAbort = abort
    if (this.sendAbort.signal.aborted) this.sendAbort = new AbortController()
    Object.assign(this, { running: true, connected: false, lastError: null, lastStartAt: this.deps.now() })
    const log = this.deps.log
    this.loop = this.def.run({
      accountId: this.accountId,
      config: settings.config,
      signal: abort.signal,
      log,
      stateDir: this.deps.stateDir,
      receive: async (message) => await this.receive(message),
      report: (patch) => { this.report(patch) },
      sleep: this.deps.sleep
    }).catch((err: unknown) => {
      if (abort.signal.aborted) return
      this.lastError = this.scrub(messageOf(err))
      log.error({ account: this.accountId, error: this.lastError }, `channel account stopped: ${this.lastError}`)
    }).finally(() => {
      Object.assign(this, { running: false, connected: false, lastStopAt: this.deps.now() })
      this.deps.changed()
    })
    this.deps.changed()
    return true
  }

  /** Stops the loop, lets replies in flight finish (bounded), then cancels what is left. */
  async stop (drainMs = this.deps.drainMs ?? 5000): Promise<void> {
    this.runAbort?.abort()
    await this.loop
    if (this.inflight.size > 0 && drainMs > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise((resolve) => { timer = setTimeout(resolve, drainMs) })
      ])
      clearTimeout(timer)
    }
    this.sendAbort.abort()
  }

  async probe (timeoutMs: number): Promise<ChannelProbeResult> {
    let result: ChannelProbeResult
    if ('error' in this.settings) result = { ok: false, error: this.settings.error }
    else if (!this.settings.configured) result = { ok: false, error: 'not configured' }
    else if (this.def.probe === undefined) result = { ok: false, error: 'probe not supported' }
    else {
      try {
        result = await this.def.probe(this.settings.config, AbortSignal.timeout(timeoutMs))
      } catch (err) {
        result = { ok: false, error: messageOf(err) }
      }
    }
    if (typeof result.error === 'string') result.error = this.scrub(result.error)
    this.lastProbe = result
    this.lastProbeAt = this.deps.now()
    return result
  }

  report (patch: AccountRuntimePatch): void {
    if (patch.connected === true && !this.connected) this.lastConnectedAt = this.deps.now()
    if (patch.connected !== undefined) this.connected = patch.connected
    if (patch.lastError !== undefined) this.lastError = patch.lastError === null ? null : this.scrub(patch.lastError)
    if (patch.lastInboundAt !== undefined) this.lastInboundAt = patch.lastInboundAt
    if (patch.mode !== undefined) this.mode = patch.mode
    if (patch.details !== undefined) this.details = { ...this.details, ...patch.details }
    this.deps.changed()
  }

  private async receive (message: InboundMessage): Promise<InboundOutcome> {
    const { peer, text } = message
    if (typeof peer !== 'string' || peer === '' || typeof text !== 'string' || text.trim() === '') return 'denied'
    this.lastInboundAt = this.deps.now()
    const decision = await this.access.decide(peer, message.senderLabel ?? peer, this.policy, this.allowFrom)
    if (decision.kind === 'denied') {
      this.deps.log.info({ account: this.accountId, peer }, 'message from a peer that is not allowed: dropped')
      return 'denied'
    }
    if (decision.kind === 'pairing') {
      this.deps.log.info({ account: this.accountId, peer, created: decision.created }, 'message from an unknown peer: pairing requested')
      if (decision.created) this.background(this.deliver(peer, pairingText(this.deps.channelId, decision.code)))
      return 'pairing'
    }
    this.dispatch(await this.deps.inbox.add({ peer, text, senderLabel: message.senderLabel ?? peer, at: this.deps.now() }))
    return 'accepted'
  }

  /** Starts the agent run of an inbox entry; the entry is done once the transcript holds the message. */
  private dispatch (entry: InboxEntry): void {
    const { peer, text } = entry
    const done = () => { this.deps.inbox.done(entry.seq).catch((err: unknown) => { this.deps.log.warn({ err: messageOf(err) }, 'inbox update failed') }) }
    let handle: RunHandle
    try {
      const agent = this.deps.engine.resolveAgent(typeof this.spec.raw.agentId === 'string' ? this.spec.raw.agentId : undefined)
      const peerKey = this.accountId === 'default' ? peer : `${this.accountId}:${peer}`
      handle = this.deps.engine.start({
        agentId: agent.id,
        sessionKey: `agent:${agent.id}:${this.deps.channelId}:${peerKey}`,
        source: 'channel',
        input: [{ role: 'user', content: text }],
        channel: this.deps.channelId,
        deltas: false
      })
    } catch (err) {
      done()
      this.report({ lastError: `agent run refused: ${messageOf(err)}` })
      this.background(this.deliver(peer, 'Sorry, this message could not be handed to the agent.'))
      return
    }
    let recorded = false
    const off = handle.listen((e) => { if (e.type === 'message' && !recorded) { recorded = true; off(); done() } })
    // A run aborted before it recorded the message (the gateway stopping) leaves it open for the next start.
    handle.done.then((r) => { off(); if (!recorded && r.status !== 'aborted') done() }, () => { off() })
    this.background(this.reply(peer, handle))
  }

  private async reply (peer: string, handle: RunHandle): Promise<void> {
    const { typing, typingIntervalMs } = this.def
    const signal = this.sendAbort.signal
    let timer: NodeJS.Timeout | undefined
    if (typing !== undefined && !('error' in this.settings)) {
      const config = this.settings.config
      const tick = () => { typing(config, peer, signal).catch((err: unknown) => { this.deps.log.debug({ err: messageOf(err) }, 'typing indicator failed') }) }
      tick()
      timer = setInterval(tick, typingIntervalMs ?? 4000)
    }
    const result = await handle.done.finally(() => { clearInterval(timer) })
    if (result.status === 'aborted') return
    const text = result.status === 'ok' ? result.text : `Sorry, the agent could not answer (${result.error?.code ?? result.status}).`
    if (text.trim() !== '') await this.deliver(peer, text)
  }

  /** Sends a notice to a peer now; false when it could not be delivered. */
  async notify (peer: string, text: string): Promise<boolean> {
    if ('error' in this.settings || !this.settings.configured) return false
    try {
      for (const part of splitText(text, this.def.textLimit)) await this.sendPart(peer, part, this.sendAbort.signal)
      this.lastOutboundAt = this.deps.now()
      return true
    } catch (err) {
      this.deps.log.warn({ account: this.accountId, peer, error: this.scrub(messageOf(err)) }, 'notice not delivered')
      return false
    }
  }

  private async deliver (peer: string, text: string): Promise<void> {
    if ('error' in this.settings) return
    const signal = this.sendAbort.signal
    try {
      for (const part of splitText(text, this.def.textLimit)) await this.sendPart(peer, part, signal)
      this.lastOutboundAt = this.deps.now()
    } catch (err) {
      if (signal.aborted) return
      this.report({ lastError: `send failed: ${messageOf(err)}` })
      this.deps.log.warn({ account: this.accountId, peer, error: this.lastError }, 'reply not delivered')
    }
  }

  private async sendPart (peer: string, text: string, signal: AbortSignal): Promise<void> {
    const config = (this.settings as AccountSettings).config
    for (let attempt = 1; ; attempt++) {
      try {
        await this.def.send(config, peer, text, signal)
        return
      } catch (err) {
        const e = err as { retryAfterMs?: number, permanent?: boolean }
        if (attempt >= SEND_ATTEMPTS || e.permanent === true || signal.aborted) throw err
        await this.deps.sleep(e.retryAfterMs ?? 1000 * 2 ** (attempt - 1), signal)
      }
    }
  }

  private background (work: Promise<void>): void {
    const p = work.catch((err: unknown) => { this.deps.log.warn({ err: messageOf(err) }, 'channel reply failed') })
      .finally(() => { this.inflight.delete(p) })
    this.inflight.add(p)
  }

  private scrub (text: string): string {
    if ('error' in this.settings) return text
    let out = text
    for (const secret of this.settings.secrets) if (secret.length >= 4) out = out.split(secret).join('***')
    return out
  }
}

function pairingText (channelId: string, code: string): string {
  return `This bot only answers people its operator approved. Your pairing code: ${code}\n` +
    `Ask the operator to run: openclaw channels approve ${code}\n(${channelId}; the code is valid for one hour)`
}

export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
