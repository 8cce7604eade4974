// JSON Merge Patch (RFC 7396) for config.patch: objects merge key by key,
// `null` deletes, anything else (arrays included) replaces. `replacePaths`
// names objects the patch replaces whole instead of merging into.
import { define } from './redact.js'
import { isPlainObject } from './schema-walk.js'

export function mergePatch (target: unknown, patch: unknown, replacePaths: ReadonlySet<string> = new Set(), path = ''): unknown {
  if (!isPlainObject(patch)) return patch
  const base: Record<string, unknown> = {}
  if (isPlainObject(target) && !replacePaths.has(path)) for (const [k, v] of Object.entries(target)) define(base, k, v)
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete base[k]
      continue
    }
    const at = path === '' ? k : `${path}.${k}`
    define(base, k, mergePatch(Object.hasOwn(base, k) ? base[k] : undefined, v, replacePaths, at))
  }
  return base
}
