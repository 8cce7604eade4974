/**
 * The tool registry: validation compiled once per tool, policy per call, and
 * one place that turns every tool/user failure into an `isError` result the
 * model can read. Instances share nothing, so two gateways never interact.
 */
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { GatewayConfig } from '../../schemas/config.js'
import { ToolError, isToolError } from '../errors/tools.js'
import { compilePolicy, policyLayers } from './policy.js'
import { capText } from './text-limit.js'
import type { ToolContext, ToolDefinition, ToolRegistry, ToolResult, ToolSpec } from './types.js'

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/
/** What the model sees of one result; tools cap their own output well below this. */
export const MAX_RESULT_BYTES = 64 * 1024
const MAX_REPORTED_SCHEMA_ERRORS = 5

interface Entry {
  def: ToolDefinition
  check: TypeCheck<TSchema>
  /** Plain-JSON parameters (TypeBox's symbol keys stripped), cloned per `specs` call. */
  jsonSchema: Record<string, unknown>
}

export interface ToolRegistryOptions {
  /** Cap on a result's content in UTF-8 bytes (default 64 KiB). */
  maxResultBytes?: number
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

function errorResult (code: string, message: string, details?: unknown): ToolResult {
  return { isError: true, content: message, details: { code, ...(isRecord(details) ? details : {}) } }
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function compile (def: ToolDefinition): Entry {
  if (typeof def.name !== 'string' || !NAME_PATTERN.test(def.name)) {
    throw new ToolError('TOOL_INVALID_NAME', `invalid tool name ${JSON.stringify(def.name)}: expected ^[a-zA-Z0-9_-]{1,64}$`)
  }
  if (def.parameters?.type !== 'object') {
    throw new ToolError('TOOL_INVALID_SCHEMA', `tool "${def.name}": parameters must be an object schema`)
  }
  try {
    const jsonSchema = JSON.parse(JSON.stringify(def.parameters)) as Record<string, unknown>
    return { def, check: TypeCompiler.Compile(def.parameters), jsonSchema }
  } catch (err) {
    throw new ToolError('TOOL_INVALID_SCHEMA', `tool "${def.name}": parameters schema does not compile`, { cause: err })
  }
}

/** Accepts the provider's raw JSON string or an already-parsed object; empty means `{}`. */
function parseArgs (name: string, args: unknown): { ok: true, value: unknown } | { ok: false, result: ToolResult } {
  if (args === undefined || args === null) return { ok: true, value: {} }
  if (typeof args !== 'string') return { ok: true, value: args }
  if (args.trim() === '') return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(args) as unknown }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    return { ok: false, result: errorResult('TOOL_INVALID_ARGS', `Invalid arguments for tool "${name}": not valid JSON (${reason}). Send a JSON object.`) }
  }
}

function schemaErrors (check: TypeCheck<TSchema>, value: unknown): string {
  const lines: string[] = []
  for (const e of check.Errors(value)) {
    if (lines.length === MAX_REPORTED_SCHEMA_ERRORS) break
    lines.push(`${e.path === '' ? '(root)' : e.path}: ${e.message}`)
  }
  return lines.join('; ')
}

function toErrorResult (name: string, err: unknown): ToolResult {
  if (isToolError(err)) return errorResult(err.code, err.message, err.details)
  const reason = err instanceof Error ? err.message : String(err)
  return errorResult('TOOL_FAILED', `Tool "${name}" failed: ${reason}`)
}

/** Settles with an `aborted` result when the signal fires, so a tool that ignores it cannot hang the run. */
async function runAbortable (name: string, run: () => Promise<ToolResult>, signal: AbortSignal): Promise<ToolResult> {
  const aborted = (): ToolResult => errorResult('TOOL_ABORTED', `Tool "${name}" was aborted`)
  if (signal.aborted) return aborted()
  let onAbort: (() => void) | undefined
  const abortPromise = new Promise<ToolResult>((resolve) => {
    onAbort = () => resolve(aborted())
    signal.addEventListener('abort', onAbort, { once: true })
  })
  const work = Promise.resolve().then(run).catch((err: unknown) => toErrorResult(name, err))
  try {
    return await Promise.race([work, abortPromise])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

function normalizeResult (name: string, result: unknown, maxBytes: number): ToolResult {
  if (!isRecord(result) || typeof result.content !== 'string') {
    return errorResult('TOOL_FAILED', `Tool "${name}" returned a malformed result`)
  }
  const capped = capText(result.content, maxBytes)
  const out: ToolResult = { content: capped.text }
  if (result.isError === true) out.isError = true
  if (result.details !== undefined) out.details = result.details
  return out
}

export function createToolRegistry (opts: ToolRegistryOptions = {}): ToolRegistry {
  const maxResultBytes = opts.maxResultBytes ?? MAX_RESULT_BYTES
  const entries = new Map<string, Entry>()
  // Config snapshots are immutable and swapped whole, so their identity is a safe cache key.
  let specCache = new WeakMap<object, Map<string, readonly ToolSpec[]>>()

  const enabled = (def: ToolDefinition, config: Readonly<GatewayConfig>): boolean =>
    def.isEnabled === undefined || def.isEnabled(config) === true

  function available (config: Readonly<GatewayConfig>, agentId: string): ToolDefinition[] {
    const allowed = compilePolicy(policyLayers(config, agentId))
    const out: ToolDefinition[] = []
    for (const { def } of entries.values()) {
      if (enabled(def, config) && allowed(def.name)) out.push(def)
    }
    return out
  }

  return {
    register (def) {
      const entry = compile(def as unknown as ToolDefinition)
      if (entries.has(entry.def.name)) {
        throw new ToolError('TOOL_DUPLICATE', `tool "${entry.def.name}" is already registered`)
      }
      entries.set(entry.def.name, entry)
      specCache = new WeakMap()
    },

    unregister (name) {
      const removed = entries.delete(name)
      if (removed) specCache = new WeakMap()
      return removed
    },

    get: (name) => entries.get(name)?.def,

    available,

    specs (config, agentId) {
      // Runs ask for specs on every turn: compute once per config snapshot and agent.
      let perAgent = specCache.get(config)
      if (perAgent === undefined) {
        perAgent = new Map()
        specCache.set(config, perAgent)
      }
      let specs = perAgent.get(agentId)
      if (specs === undefined) {
        specs = deepFreeze(available(config, agentId).map((def): ToolSpec => ({
          name: def.name,
          description: def.description,
          parameters: structuredClone(entries.get(def.name)!.jsonSchema)
        })))
        perAgent.set(agentId, specs)
      }
      return specs
    },

    async invoke (name, args, ctx: ToolContext, config, agentId) {
      // Policy is checked for `agentId` while the tool acts as `ctx.agentId`: a mismatch is a wiring bug.
      if (ctx.agentId !== agentId) {
        throw new ToolError('TOOL_FORBIDDEN', `invoke: agentId "${agentId}" does not match the context's "${ctx.agentId}"`)
      }
      const entry = entries.get(name)
      if (entry === undefined) {
        const names = available(config, agentId).map((d) => d.name).join(', ')
        return errorResult('TOOL_NOT_FOUND', `Unknown tool "${name}". Available tools: ${names === '' ? '(none)' : names}`)
      }
      const allowed = compilePolicy(policyLayers(config, agentId))
      if (!enabled(entry.def, config) || !allowed(entry.def.name)) {
        return errorResult('TOOL_NOT_AVAILABLE', `Tool "${name}" is not available to this agent (disabled or denied by configuration)`)
      }
      const parsed = parseArgs(name, args)
      if (!parsed.ok) return parsed.result
      if (!entry.check.Check(parsed.value)) {
        return errorResult('TOOL_INVALID_ARGS', `Invalid arguments for tool "${name}": ${schemaErrors(entry.check, parsed.value)}`)
      }
      const execCtx = { ...ctx, config }
      const result = await runAbortable(name, () => entry.def.execute(parsed.value, execCtx), ctx.signal)
      return normalizeResult(name, result, maxResultBytes)
    }
  }
}
