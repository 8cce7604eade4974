// Mapping transforms (contract 4: `transform.module` under `hooks.transformsDir`):
// operator-written ES modules that reshape a payload into an action. A module
// must stay inside the transforms dir (symlinks included); its import and each
// call are bounded in time, so one that hangs fails the delivery, not the gateway.
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ERR_HOOK_MAPPING_FAILED } from '../errors/hooks.js'

export interface TransformContext {
  payload: Record<string, unknown>
  /** Request headers without the credentials (authorization, x-openclaw-token, cookie). */
  headers: Record<string, string>
  path: string
  query: Record<string, string>
}

/** What a transform may return: fields that override the mapping's rendered action, or null to drop the delivery. */
export type TransformResult = Record<string, unknown> | null
type TransformFn = (ctx: TransformContext) => TransformResult | Promise<TransformResult>

/** `<config dir>/hooks/transforms`; a `hooks.transformsDir` is resolved inside it and may not leave it (as OpenClaw). */
export function transformsDirOf (configPath: string, transformsDir: string | undefined): string {
  const root = path.resolve(path.dirname(configPath), 'hooks', 'transforms')
  const dir = transformsDir === undefined || transformsDir.trim() === '' ? root : path.resolve(root, transformsDir.trim())
  if (!inside(root, dir)) throw new ERR_HOOK_MAPPING_FAILED(`hooks.transformsDir must stay inside ${root}`)
  return dir
}

export class HookTransforms {
  /** Loaded functions by file URL and mtime: an edited module is imported again. */
  private readonly cache = new Map<string, TransformFn>()
  constructor (private readonly timeoutMs: number) {}

  async run (dir: string, spec: { module: string, export?: string | undefined }, ctx: TransformContext): Promise<TransformResult> {
    const fn = await this.load(dir, spec)
    let result: unknown
    try {
      result = await bounded(Promise.resolve().then(() => fn(ctx)), this.timeoutMs, 'transform')
    } catch (err) {
      if ((err as { code?: string }).code === 'GW_ERR_HOOK_MAPPING_FAILED') throw err
      throw new ERR_HOOK_MAPPING_FAILED(`transform "${spec.module}" threw: ${messageOf(err)}`)
    }
    if (result === null || result === undefined) return null
    if (typeof result !== 'object' || Array.isArray(result)) throw new ERR_HOOK_MAPPING_FAILED(`transform "${spec.module}" must return an object or null`)
    return result as Record<string, unknown>
  }

  private async load (dir: string, spec: { module: string, export?: string | undefined }): Promise<TransformFn> {
    const file = await containedFile(dir, spec.module)
    const { mtimeMs } = await stat(file)
    const url = `${pathToFileURL(file).href}?mtime=${Math.trunc(mtimeMs)}`
    const key = `${url}#${spec.export ?? ''}`
    const cached = this.cache.get(key)
    if (cached !== undefined) return cached
    let mod: Record<string, unknown>
    try {
      mod = await bounded(import(url) as Promise<Record<string, unknown>>, this.timeoutMs, 'transform import')
    } catch (err) {
      if ((err as { code?: string }).code === 'GW_ERR_HOOK_MAPPING_FAILED') throw err
      throw new ERR_HOOK_MAPPING_FAILED(`transform "${spec.module}" could not be imported: ${messageOf(err)}`)
    }
    const names = spec.export !== undefined ? [spec.export] : ['default', 'transform']
    const fn = names.map((n) => mod[n]).find((v): v is TransformFn => typeof v === 'function')
    if (fn === undefined) throw new ERR_HOOK_MAPPING_FAILED(`transform "${spec.module}" exports no function ${names.map((n) => `"${n}"`).join(' or ')}`)
    // Old versions of an edited module stay cached by Node anyway; keep the map small.
    if (this.cache.size >= 64) this.cache.clear()
    this.cache.set(key, fn)
    return fn
  }
}

/** The module's real path, refused when it (or a symlink on the way) leads out of `dir`. */
async function containedFile (dir: string, module: string): Promise<string> {
  const file = path.resolve(dir, module)
  const refuse = () => new ERR_HOOK_MAPPING_FAILED(`transform module "${module}" must stay inside hooks.transformsDir`)
  if (!inside(dir, file)) throw refuse()
  let real: string
  let realDir: string
  try {
    [real, realDir] = await Promise.all([realpath(file), realpath(dir)])
  } catch {
    throw new ERR_HOOK_MAPPING_FAILED(`transform module "${module}" not found in hooks.transformsDir`)
  }
  if (!inside(realDir, real)) throw refuse()
  return real
}

function inside (dir: string, file: string): boolean {
  const rel = path.relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

async function bounded<T> (work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new ERR_HOOK_MAPPING_FAILED(`${what} did not finish within ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function messageOf (err: unknown): string {
  const m = err instanceof Error ? err.message : String(err)
  return m.length > 200 ? `${m.slice(0, 200)}…` : m
}
