// Finds, imports and validates plugin modules: files or directories from
// `plugins.load.paths`, and npm packages named in `plugins.entries` (from the
// state dir's node_modules, then the gateway's own). Every failure becomes a
// `PluginFailure` for health; nothing here throws to the caller.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import type { GatewayConfig } from '../../schemas/config.js'
import type { PluginDefinition } from '../plugin-api.js'

export const PLUGIN_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/

export interface PluginFailure { id: string, origin: string, enabled: boolean, error: string }

export interface LoadedPlugin {
  readonly id: string
  /** The file path, or `npm:<package>`. */
  readonly origin: string
  /** The `plugins.entries` key its settings come from (the id, or the package name). */
  readonly entryKey: string
  readonly def: PluginDefinition
  readonly enabled: boolean
  /** Validated config (undefined when disabled). */
  readonly config: Readonly<Record<string, unknown>> | undefined
}

export interface LoadResult { plugins: LoadedPlugin[], failures: PluginFailure[] }

export interface LoaderOptions {
  /** Relative `plugins.load.paths` resolve against this (the config file's directory). */
  baseDir: string
  home: string
  stateDir: string
  /** Directories whose node_modules (walking up) hold packages the gateway ships with. */
  gatewayDir: string
  /** Bounds one import (a module with a top-level await that never settles). */
  timeoutMs?: number
}

type Entries = NonNullable<NonNullable<GatewayConfig['plugins']>['entries']>

interface Candidate { origin: string, entryKey?: string, fallbackId: string, file: string, bustCache: boolean }

export async function loadPlugins (config: Readonly<GatewayConfig>, opts: LoaderOptions): Promise<LoadResult> {
  const entries: Entries = config.plugins?.entries ?? {}
  const out: LoadResult = { plugins: [], failures: [] }
  const seen = new Set<string>()
  const fail = (id: string, origin: string, error: string, enabled = true) => { out.failures.push({ id, origin, enabled, error }) }

  const candidates: Candidate[] = []
  for (const raw of config.plugins?.load?.paths ?? []) {
    const target = path.resolve(opts.baseDir, raw.startsWith('~/') ? path.join(opts.home, raw.slice(2)) : raw)
    try {
      candidates.push({ origin: target, fallbackId: idFromPath(target), file: await entryOfPath(target), bustCache: true })
    } catch (err) {
      fail(idFromPath(target), target, messageOf(err))
    }
  }

  const load = async (c: Candidate): Promise<void> => {
    let def: PluginDefinition
    try {
      def = pluginOf(await withTimeout(importFresh(c.file, c.bustCache), opts.timeoutMs ?? 10_000, `import of ${c.file}`))
    } catch (err) {
      return fail(c.entryKey ?? c.fallbackId, c.origin, `import failed: ${messageOf(err)}`)
    }
    const entryKey = c.entryKey ?? def.id
    const entry = entries[entryKey]
    const enabled = entry?.enabled !== false
    if (seen.has(def.id)) return fail(def.id, c.origin, `duplicate plugin id "${def.id}" (already loaded from another origin)`, enabled)
    seen.add(def.id)
    if (!enabled) {
      out.plugins.push({ id: def.id, origin: c.origin, entryKey, def, enabled, config: undefined })
      return
    }
    const checked = validateConfig(def.configSchema, entry?.config ?? {}, `plugins.entries.${entryKey}.config`)
    if (!checked.ok) return fail(def.id, c.origin, checked.error)
    out.plugins.push({ id: def.id, origin: c.origin, entryKey, def, enabled, config: checked.value })
  }

  for (const c of candidates) await load(c)
  // Entries no path plugin claimed name npm packages; a disabled one is not even imported.
  for (const [key, entry] of Object.entries(entries)) {
    if (out.plugins.some((p) => p.entryKey === key) || out.failures.some((f) => f.id === key)) continue
    if (entry.enabled === false) continue
    const origin = `npm:${key}`
    try {
      const file = await resolvePackage(key, [path.join(opts.stateDir, 'node_modules'), ...ancestorsNodeModules(opts.gatewayDir)])
      await load({ origin, entryKey: key, fallbackId: key, file, bustCache: false })
    } catch (err) {
      fail(key, origin, messageOf(err))
    }
  }
  return out
}

/** `plugins.entries.<key>.config.<path>: <reason>` for the first problems, or the value with defaults applied. */
export function validateConfig (schema: TSchema | undefined, value: Record<string, unknown>, at: string):
{ ok: true, value: Readonly<Record<string, unknown>> } | { ok: false, error: string } {
  if (schema === undefined) return { ok: true, value: Object.freeze(structuredClone(value)) }
  const withDefaults = Value.Default(schema, structuredClone(value)) as Record<string, unknown>
  if (Value.Check(schema, withDefaults)) return { ok: true, value: Object.freeze(withDefaults) }
  const lines: string[] = []
  for (const e of Value.Errors(schema, withDefaults)) {
    if (lines.length === 3) break
    const sub = e.path === '' ? '' : '.' + e.path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.')
    lines.push(`${at}${sub}: ${e.message}`)
  }
  return { ok: false, error: lines.join('; ') }
}

function pluginOf (mod: Record<string, unknown>): PluginDefinition {
  const def = (mod.default ?? mod.plugin) as Partial<PluginDefinition> | undefined
  if (typeof def !== 'object' || def === null) throw new Error('the module exports no plugin (export default definePlugin({ … }))')
  if (typeof def.id !== 'string' || !PLUGIN_ID.test(def.id)) throw new Error(`invalid plugin id ${JSON.stringify(def.id)}: expected ^[a-z0-9][a-z0-9_-]{0,63}$`)
  if (typeof def.register !== 'function') throw new Error(`plugin "${def.id}" has no register function`)
  return def as PluginDefinition
}

/**
 * Node cannot unload an ES module, so a path plugin is imported again only when its entry file
 * changed (the mtime is part of the URL): a reload picks up an edited entry file, and each edit
 * costs one module instance until exit. Files it imports and npm packages stay cached.
 */
async function importFresh (file: string, bustCache: boolean): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file)
  if (bustCache) url.search = `mtime=${Math.trunc((await stat(file)).mtimeMs)}`
  return await import(url.href) as Record<string, unknown>
}

async function entryOfPath (target: string): Promise<string> {
  const info = await stat(target).catch(() => { throw new Error(`plugin path not found: ${target}`) })
  if (info.isFile()) return target
  const manifest = await readJson(path.join(target, 'package.json'))
  if (manifest !== undefined) return path.join(target, packageEntry(manifest))
  for (const name of ['index.js', 'index.mjs']) {
    if (await stat(path.join(target, name)).then((s) => s.isFile(), () => false)) return path.join(target, name)
  }
  throw new Error(`no plugin entry in ${target} (package.json, index.js or index.mjs)`)
}

async function resolvePackage (name: string, roots: string[]): Promise<string> {
  for (const root of roots) {
    const dir = path.join(root, ...name.split('/'))
    const manifest = await readJson(path.join(dir, 'package.json'))
    if (manifest !== undefined) return path.join(dir, packageEntry(manifest))
  }
  throw new Error(`npm package "${name}" is not installed (looked in ${roots[0]} and the gateway's node_modules)`)
}

/** The ESM entry: `exports["."]` (import / node / default condition), else `main`, else index.js. */
function packageEntry (manifest: Record<string, unknown>): string {
  let exp = manifest.exports
  if (typeof exp === 'object' && exp !== null && '.' in exp) exp = (exp as Record<string, unknown>)['.']
  for (let i = 0; i < 4 && typeof exp === 'object' && exp !== null; i++) {
    const conditions = exp as Record<string, unknown>
    exp = conditions.import ?? conditions.node ?? conditions.default
  }
  if (typeof exp === 'string') return exp
  return typeof manifest.main === 'string' ? manifest.main : 'index.js'
}

function ancestorsNodeModules (dir: string): string[] {
  const out: string[] = []
  for (let d = dir; ; d = path.dirname(d)) {
    out.push(path.join(d, 'node_modules'))
    if (path.dirname(d) === d) return out
  }
}

async function readJson (file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  return JSON.parse(text) as Record<string, unknown>
}

function idFromPath (p: string): string {
  return path.basename(p).replace(/\.(m|c)?js$/, '')
}

export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export async function withTimeout<T> (work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} did not finish within ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
