// The channel account contract (docs/channels.md): what a channel plugin
// implements per configured account, and what the channels feature hands it.
// Re-exported by the plugin API so a third-party channel uses the same shapes.
import type { TSchema } from '@sinclair/typebox'
import type { FastifyBaseLogger } from 'fastify'

/** One message from a peer (a chat) on a messaging service. */
export interface InboundMessage {
  /** The chat to answer in; part of the session key `agent:<agentId>:<channel>:<peer>`. */
  peer: string
  /** Who wrote it, for the pairing request and logs (a username or a name). */
  senderLabel?: string
  text: string
}

/** What the channel layer does with an inbound message once it is safely recorded. */
export type InboundOutcome = 'accepted' | 'pairing' | 'denied'

/** Runtime facts an account reports while it runs (merged into its status). */
export interface AccountRuntimePatch {
  connected?: boolean
  lastError?: string | null
  lastInboundAt?: number
  mode?: string
  /** Channel-specific facts (the bot's username…), shown under `channelAccounts[].details`. */
  details?: Record<string, unknown>
}

export interface ChannelAccountContext<C = Record<string, unknown>> {
  readonly accountId: string
  /** The account's settings: channel-level keys merged under `accounts.<id>`, secrets resolved. */
  readonly config: Readonly<C>
  /** Aborted when the account stops (channels.stop, a config change, gateway close). */
  readonly signal: AbortSignal
  readonly log: FastifyBaseLogger
  /** A directory of this account's own (`<stateDir>/channels/<channel>/<accountId>`), created. */
  readonly stateDir: string
  /**
   * Hands a message to the gateway. Resolves once it is durably recorded (in the account's
   * inbox, or as a pairing request): only then may the channel acknowledge it upstream.
   */
  receive: (message: InboundMessage) => Promise<InboundOutcome>
  report: (patch: AccountRuntimePatch) => void
  /** Waits `ms` or until the signal aborts (injected so tests never sleep). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

export interface ChannelProbeResult {
  ok: boolean
  error?: string
  /** Channel-specific facts (Telegram: the bot). */
  [key: string]: unknown
}

/** A channel that runs per account: the channels feature starts, stops, probes and reports each. */
export interface ChannelAccounts<C = Record<string, unknown>> {
  /** Validates one account's merged settings (unknown keys are ignored, not rejected). */
  configSchema: TSchema
  /** Settings that hold secrets (SecretRef allowed); resolved before `run`, never reported. */
  secretKeys?: readonly string[]
  /** Whether the settings are complete enough to start (a token is set…). */
  isConfigured: (config: Readonly<C>) => boolean
  /** Runs until `ctx.signal` aborts; a throw stops the account with that error (not retried). */
  run: (ctx: ChannelAccountContext<C>) => Promise<void>
  /** Checks the credentials against the service now. */
  probe?: (config: Readonly<C>, signal: AbortSignal) => Promise<ChannelProbeResult>
  /** Sends text to a peer; the layer has already split it to `textLimit`. */
  send: (config: Readonly<C>, peer: string, text: string, signal: AbortSignal) => Promise<void>
  /** Shows "typing…" in the chat (the layer repeats it while the agent works). */
  typing?: (config: Readonly<C>, peer: string, signal: AbortSignal) => Promise<void>
  /** Forgets this account's local session state (a logout); the account is stopped first. */
  logout?: (ctx: { accountId: string, stateDir: string }) => Promise<{ cleared: boolean }>
  /** The service's longest message, in characters. */
  textLimit: number
  /** How often to repeat the typing indicator while a run works (ms). */
  typingIntervalMs?: number
}
