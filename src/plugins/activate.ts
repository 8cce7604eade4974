// Activates one loaded plugin: its Fastify instance, and a context whose
// registries write through to the gateway's method table and tool registry
// while recording what was added, so a failure (or a later reload) removes
// exactly that plugin's contributions and nothing else.
import type { FastifyBaseLogger } from 'fastify'
import { Value } from '@sinclair/typebox/value'
import { HookMapping } from '../../schemas/config.js'
import type { RpcService, MethodDefinition } from '../rpc/types.js'
import type { ToolDefinition, ToolRegistry } from '../tools/types.js'
import type { ChannelDefinition, PluginContext, PluginGatewayInfo, PluginHealthContributor } from '../plugin-api.js'
import { createPluginServer, type PluginHttpOptions, type PluginServer } from './http.js'
import { PLUGIN_ID, messageOf, type LoadedPlugin } from './loader.js'

export interface Contributions {
  /** Set once the plugin is deactivated: a late add (a register() that timed out and went on) is refused. */
  retired: boolean
  methods: string[]
  tools: string[]
  health: PluginHealthContributor[]
  hookMappings: HookMapping[]
  channels: ChannelDefinition[]
}

export interface ActivePlugin {
  readonly plugin: LoadedPlugin
  readonly server: PluginServer
  readonly contributions: Contributions
}

export interface ActivateDeps {
  rpc: RpcService
  tools: ToolRegistry
  log: FastifyBaseLogger
  gateway: PluginGatewayInfo
  http: Omit<PluginHttpOptions, 'log'>
  /** Channel ids other active plugins hold (unique across plugins). */
  channelTaken: (id: string) => boolean
}

/** Resolves with the active plugin, or rejects after undoing whatever it had added. */
export async function activatePlugin (plugin: LoadedPlugin, deps: ActivateDeps): Promise<ActivePlugin> {
  const log = deps.log.child({ plugin: plugin.id })
  const server = createPluginServer({ ...deps.http, log })
  const contributions: Contributions = { retired: false, methods: [], tools: [], health: [], hookMappings: [], channels: [] }
  try {
    await server.instance.register(async (scoped) => {
      await plugin.def.register(contextFor(plugin, scoped as unknown as PluginContext['http'], log, contributions, deps))
    }, { prefix: `/plugins/${plugin.id}` })
    await server.instance.ready()
    return { plugin, server, contributions }
  } catch (err) {
    deactivate({ plugin, server, contributions }, deps)
    await server.close(0).catch((closeErr: unknown) => { log.warn({ err: closeErr }, 'closing a failed plugin failed') })
    throw TIMEOUT_CODES.has((err as { code?: string }).code ?? '')
      ? new Error(`register() did not finish within ${deps.http.registerTimeoutMs ?? 10_000} ms`)
      : err
  }
}

const TIMEOUT_CODES = new Set(['AVV_ERR_PLUGIN_EXEC_TIMEOUT', 'AVV_ERR_READY_TIMEOUT', 'FST_ERR_PLUGIN_TIMEOUT'])

/** Removes the plugin's methods and tools from the shared registries (its server is closed separately). */
export function deactivate (active: ActivePlugin, deps: Pick<ActivateDeps, 'rpc' | 'tools'>): void {
  active.contributions.retired = true
  for (const name of active.contributions.methods) deps.rpc.unregister(name)
  for (const name of active.contributions.tools) deps.tools.unregister(name)
  active.contributions.methods.length = 0
  active.contributions.tools.length = 0
}

function contextFor (plugin: LoadedPlugin, http: PluginContext['http'], log: FastifyBaseLogger, c: Contributions, deps: ActivateDeps): PluginContext {
  const live = () => { if (c.retired) throw new Error(`plugin "${plugin.id}" is no longer active`) }
  return {
    id: plugin.id,
    config: plugin.config ?? {},
    log,
    gateway: deps.gateway,
    http,
    methods: {
      add (name, def) {
        live()
        if (deps.rpc.has(name)) throw new Error(`method "${name}" is already registered`)
        deps.rpc.register(name, def as MethodDefinition)
        c.methods.push(name)
      }
    },
    tools: {
      add (def) {
        live()
        deps.tools.register(def)
        c.tools.push((def as ToolDefinition).name)
      }
    },
    health: {
      add (fn) {
        live()
        if (typeof fn !== 'function') throw new Error('health.add expects a function')
        c.health.push(fn)
      }
    },
    hooks: {
      addMapping (mapping) {
        live()
        // Checked without compiling: plugins add a few mappings, once per load.
        if (!Value.Check(HookMapping, mapping)) {
          const first = Value.Errors(HookMapping, mapping).First()
          throw new Error(`invalid hook mapping: ${first?.path ?? ''} ${first?.message ?? ''}`.trim())
        }
        c.hookMappings.push(Object.freeze(structuredClone(mapping)))
      }
    },
    channels: {
      add (def) {
        live()
        if (typeof def?.id !== 'string' || !PLUGIN_ID.test(def.id)) throw new Error(`invalid channel id ${JSON.stringify(def?.id)}`)
        if (deps.channelTaken(def.id) || c.channels.some((x) => x.id === def.id)) throw new Error(`channel "${def.id}" is already registered`)
        c.channels.push(Object.freeze({ ...def }))
      }
    }
  }
}

/** One plugin's `health.plugins.status.<id>`: its contributors merged; a failing one shows as `error`. */
export async function pluginHealth (active: ActivePlugin, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  if (active.contributions.health.length === 0) return undefined
  const out: Record<string, unknown> = {}
  for (const fn of active.contributions.health) {
    try {
      let timer: NodeJS.Timeout | undefined
      const part = await Promise.race([
        Promise.resolve().then(fn),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`timed out after ${timeoutMs} ms`)) }, timeoutMs) })
      ]).finally(() => { clearTimeout(timer) })
      if (typeof part === 'object' && part !== null) Object.assign(out, JSON.parse(JSON.stringify(part)))
    } catch (err) {
      out.error = messageOf(err)
    }
  }
  return out
}
