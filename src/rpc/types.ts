// The RPC service contracts other plugins program against: method
// registration, the per-request context, the event bus and the presence store.
import type { Static, TSchema, TUnknown } from '@sinclair/typebox'
import type { ConnectClient, HealthSnapshot, PresenceEntry, SessionDefaults, StateVersion } from '../../schemas/frames.js'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { CompiledMethod } from './registry.js'

export type { HealthSnapshot, PresenceEntry, SessionDefaults, StateVersion }
export type ClientInfo = ConnectClient

export type Role = 'operator' | 'node'

/** 'none' = callable without any scope; a function picks the scope from the validated params. */
export type ScopeSpec<P> = 'none' | (string & {}) | ((params: P) => string)

/** What a connection subscribed to with `sessions.subscribe` (session-scoped-events clients). */
export interface SessionSubscriptions {
  subscribe: (keys: readonly string[] | 'all') => void
  unsubscribe: (keys: readonly string[] | 'all') => void
  has: (sessionKey: string) => boolean
  /** Subscribed keys, sorted; ['*'] for 'all'. */
  list: () => string[]
  /** `sessions.messages.subscribe`: this connection gets `session.message` events for the key. */
  subscribeMessages: (key: string) => void
  unsubscribeMessages: (key: string) => void
  watchesMessages: (key: string) => boolean
}

export interface RpcContext {
  readonly connId: string
  readonly client: ClientInfo
  readonly role: Role
  readonly scopes: readonly string[]
  readonly caps: ReadonlySet<string>
  readonly deviceId: string | undefined
  readonly ip: string
  /** Aborted by a `cancel` frame for this request or when the connection goes away. */
  readonly signal: AbortSignal
  readonly log: Logger
  readonly sessions: SessionSubscriptions
  /** Per-connection scratch space, dropped on disconnect (e.g. logs.tail's last file). */
  readonly state: Map<string, unknown>
  /** Sends an early `res` (two-stage methods); the handler's return value becomes a second `res`. */
  ack: (payload: unknown) => void
  /** A directed event to this connection only (no seq). */
  sendEvent: (event: string, payload: unknown) => void
}

export interface MethodDefinition<P extends TSchema = TUnknown, R extends TSchema = TUnknown> {
  scope: ScopeSpec<Static<P>>
  /** Which connection role may call it; default 'operator'. */
  role?: Role | 'any'
  params?: P
  result?: R
  /** Listed in hello-ok features.methods; default true. */
  advertise?: boolean
  /** Dedupe on params.idempotencyKey (5 min, 1000 entries per method). */
  idempotent?: boolean
  /**
   * A read-only method drops unknown top-level params (debug log) instead of rejecting them, so a
   * newer client's extra fields do not break reads; write methods stay strict. Default: true when
   * the static scope is `operator.read`.
   */
  readOnly?: boolean
  /** The handler returns the same unchanging object until there is a new one (a cached snapshot): its JSON is reused. */
  snapshotResult?: boolean
  handler: (params: Static<P>, ctx: RpcContext) => Promise<Static<R>>
}

export interface PublishOptions {
  /** Skip slow consumers instead of closing them (the seq number is still consumed). */
  dropIfSlow?: boolean
  /**
   * The session the event is about. For agent / chat / chat.side_result / session.observer /
   * session.tool, clients with the `session-scoped-events` cap only get it if they subscribed;
   * `session.message` only goes to clients that called `sessions.messages.subscribe` for it.
   */
  sessionKey?: string
  /** Only clients that advertised this cap (e.g. 'tool-events'). */
  requireCap?: string
  /** Only operator connections holding this scope. */
  scope?: string
  /** Carried on the frame (presence/health). */
  stateVersion?: StateVersion
}

export interface BusEvent {
  readonly event: string
  readonly payload: unknown
  readonly opts: PublishOptions
}

/**
 * Broadcast events to every connected client. The in-process implementation
 * calls listeners synchronously; a Redis-backed one would serialise `BusEvent`
 * (payloads must be JSON) and deliver it to every gateway process.
 */
export interface EventBus {
  publish: (event: string, payload: unknown, opts?: PublishOptions) => void
  /** `active` says whether this subscriber would deliver anything now (e.g. it has open sockets). */
  subscribe: (listener: (event: BusEvent) => void, opts?: { active?: () => boolean }) => () => void
  /**
   * False when no subscriber would deliver an event: publishers with costly
   * payloads (per-token run events) skip building them. A shared (Redis) bus
   * answers true.
   */
  listening: () => boolean
}

export interface PresenceStore {
  upsert: (key: string, entry: PresenceEntry) => void
  remove: (key: string) => boolean
  list: () => PresenceEntry[]
  /** Bumped on every change; clients compare it with snapshot.stateVersion.presence. */
  readonly version: number
}

export type HealthExtension = Partial<Pick<HealthSnapshot,
  'defaultAgentId' | 'agents' | 'sessions' | 'heartbeatSeconds' | 'channels' | 'channelOrder' | 'channelLabels' | 'plugins' | 'hooks'>>

export type HealthExtender = () => HealthExtension | Promise<HealthExtension>

export interface HealthService {
  /** The cached snapshot (frozen); never blocks. */
  current: () => HealthSnapshot
  /** Cached when younger than maxAgeMs, else rebuilt. */
  get: (maxAgeMs?: number) => Promise<HealthSnapshot>
  /** Rebuilds now; broadcasts a `health` event when it changed. */
  refresh: () => Promise<HealthSnapshot>
  extend: (fn: HealthExtender) => void
  readonly version: number
}

/** Contributes top-level keys to the `status` result (e.g. `sessions`). */
export type StatusExtender = (ctx: RpcContext) => Record<string, unknown> | Promise<Record<string, unknown>>

export interface RpcService {
  register: <P extends TSchema = TUnknown, R extends TSchema = TUnknown>(name: string, def: MethodDefinition<P, R>) => void
  /** Removes a method (plugins on reload); false when it was not registered. */
  unregister: (name: string) => boolean
  has: (name: string) => boolean
  /** The compiled definition, for transports that dispatch (ws-rpc). */
  lookup: (name: string) => CompiledMethod | undefined
  /** Registered methods with advertise !== false, sorted. */
  methods: () => readonly string[]
  /** Declare events this gateway really emits (hello-ok features.events). */
  advertiseEvents: (...events: string[]) => void
  events: () => readonly string[]
  health: HealthService
  extendStatus: (fn: StatusExtender) => void
  statusExtenders: () => readonly StatusExtender[]
  /** The agents plugin sets the default agent id (and main key / scope) clients resolve sessions from. */
  provideSessionDefaults: (fn: () => Partial<SessionDefaults>) => void
  sessionDefaults: () => SessionDefaults
  stateVersion: () => StateVersion
}
