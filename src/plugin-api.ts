// The public plugin API (docs/plugins.md): what `import { definePlugin } from
// 'openclaw-gateway'` gives a plugin author. Types only, plus an identity helper
// that makes the editor infer the config type from the TypeBox schema.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Static, TSchema, TUnknown } from '@sinclair/typebox'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { HookMapping } from '../schemas/config.js'
import type { MethodDefinition } from './rpc/types.js'
import type { ToolDefinition, ToolExecContext, ToolResult } from './tools/types.js'
import type { ChannelAccounts } from './channels/types.js'

export { Type } from '@sinclair/typebox'
export type { Static, TSchema } from '@sinclair/typebox'
export type { HookMapping, ToolDefinition, ToolExecContext, ToolResult }
export type { RpcContext } from './rpc/types.js'
export type { ChannelAccounts, ChannelAccountContext, ChannelProbeResult, InboundMessage, InboundOutcome, AccountRuntimePatch } from './channels/types.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A plugin route that needs no gateway auth (docs/plugins.md). */
    public?: boolean
    /** The operator scope a plugin route needs (default: operator.read for GET/HEAD, else operator.write). */
    scope?: string
  }
}

/** The Fastify instance a plugin adds routes to: everything it registers lives under `/plugins/<id>`. */
export type PluginHttp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

/** An RPC method: as core methods declare them, minus transport-only options. */
export type PluginMethod<P extends TSchema = TUnknown, R extends TSchema = TUnknown> =
  Pick<MethodDefinition<P, R>, 'scope' | 'params' | 'result' | 'handler' | 'readOnly' | 'idempotent'>

/** A messaging channel. The host keeps it; the channels feature starts, stops and reports it. */
export interface ChannelDefinition {
  /** ^[a-z0-9][a-z0-9_-]{0,63}$, unique across plugins. */
  id: string
  label: string
  start?: (ctx: { signal: AbortSignal, log: FastifyBaseLogger }) => void | Promise<void>
  stop?: () => void | Promise<void>
  status?: () => Record<string, unknown> | Promise<Record<string, unknown>>
  /** Per-account runtime under `channels.<id>` (docs/channels.md): the channels feature runs each account. */
  accounts?: ChannelAccounts<any>
}

/** A plugin's part of `health.plugins.status.<id>`: any JSON object. */
export type PluginHealthContributor = () => Record<string, unknown> | Promise<Record<string, unknown>>

export interface PluginGatewayInfo {
  readonly version: string
  readonly stateDir: string
  readonly configPath: string
}

export interface PluginContext<C = Record<string, unknown>> {
  readonly id: string
  /** `plugins.entries.<id>.config`, validated against `configSchema` (defaults applied), frozen. */
  readonly config: Readonly<C>
  /** The gateway's logger with `plugin: <id>`. */
  readonly log: FastifyBaseLogger
  readonly gateway: PluginGatewayInfo
  /** An encapsulated Fastify instance, prefix `/plugins/<id>`; rebuilt on every reload. */
  readonly http: PluginHttp
  readonly methods: { add: <P extends TSchema = TUnknown, R extends TSchema = TUnknown>(name: string, def: PluginMethod<P, R>) => void }
  readonly tools: { add: <S extends TSchema>(def: ToolDefinition<S>) => void }
  readonly health: { add: (fn: PluginHealthContributor) => void }
  readonly hooks: { addMapping: (mapping: HookMapping) => void }
  readonly channels: { add: (def: ChannelDefinition) => void }
}

export interface PluginDefinition<S extends TSchema = TSchema> {
  /** ^[a-z0-9][a-z0-9_-]{0,63}$: the route prefix and the `plugins.entries` key. */
  id: string
  name?: string
  version?: string
  description?: string
  /** Validates `plugins.entries.<id>.config`; without one the config may be any object. */
  configSchema?: S
  register: (ctx: PluginContext<Static<S>>) => void | Promise<void>
}

/** Identity at run time; it exists so `ctx.config` is typed from `configSchema`. */
export function definePlugin<S extends TSchema> (def: PluginDefinition<S>): PluginDefinition<S> {
  return def
}
