/**
 * The agent tool contract. A tool is data (name, description, TypeBox schema)
 * plus an `execute` function; the registry owns validation, policy and error
 * shaping so individual tools stay small and never see unvalidated input.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import type { GatewayConfig } from '../../schemas/config.js'
import type { SessionStore } from '../sessions/types.js'

export interface ToolContext {
  agentId: string
  sessionKey: string
  runId: string
  /** Absolute directory of the agent's workspace; created (0700) on first use. */
  workspace: string
  signal: AbortSignal
  sessions: SessionStore
  now: () => number
}

/**
 * What `execute` receives: the caller's context plus the config snapshot the
 * call was authorised under, so a tool (exec) reads its settings from the same
 * snapshot that enabled it rather than from a later reload.
 */
export interface ToolExecContext extends ToolContext {
  config: Readonly<GatewayConfig>
}

export interface ToolResult {
  content: string
  isError?: boolean
  details?: unknown
}

export interface ToolDefinition<S extends TSchema = TSchema> {
  /** ^[a-zA-Z0-9_-]{1,64}$ (the strictest provider rule). */
  name: string
  description: string
  parameters: S
  /**
   * Metadata for the agent runner: only the owner's messages may trigger it.
   * The registry has no notion of a sender, so it does not enforce this.
   */
  ownerOnly?: boolean
  /** Off unless the config enables it (e.g. exec). */
  isEnabled?: (config: Readonly<GatewayConfig>) => boolean
  execute(args: Static<S>, ctx: ToolExecContext): Promise<ToolResult>
}

/** What a provider needs to advertise a tool to the model. */
export interface ToolSpec {
  name: string
  description?: string
  parameters: Record<string, unknown>
}

export interface ToolRegistry {
  /** Throws ToolError TOOL_DUPLICATE / TOOL_INVALID_NAME / TOOL_INVALID_SCHEMA: these are wiring bugs. */
  register<S extends TSchema>(def: ToolDefinition<S>): void
  /** Removes a tool (a plugin's, on reload or rollback); false when it was not registered. */
  unregister(name: string): boolean
  get(name: string): ToolDefinition | undefined
  /** Tools the agent may use under the config (isEnabled, then allow/deny policy), in registration order. */
  available(config: Readonly<GatewayConfig>, agentId: string): ToolDefinition[]
  /** JSON-schema specs for the model: plain JSON, cached per config snapshot and agent, deeply frozen. */
  specs(config: Readonly<GatewayConfig>, agentId: string): readonly ToolSpec[]
  /**
   * Parses (JSON string or object), validates, checks policy and runs the tool.
   * Tool and user errors come back as `{ isError: true }` results so the model
   * can react; the content is capped.
   */
  invoke(name: string, args: unknown, ctx: ToolContext, config: Readonly<GatewayConfig>, agentId: string): Promise<ToolResult>
}
