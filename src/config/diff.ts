// Dotted leaf paths that differ between two config objects. Arrays are
// compared whole: a changed list is one changed path.
import { isDeepStrictEqual } from 'node:util'

export function diffPaths (a: unknown, b: unknown, prefix = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: string[] = []
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      out.push(...diffPaths(a[key], b[key], prefix === '' ? key : `${prefix}.${key}`))
    }
    return out
  }
  if (isPlainObject(a) !== isPlainObject(b) && (a === undefined || b === undefined)) {
    // A whole subtree appeared or went away: report its leaves.
    return leafPaths(a ?? b, prefix)
  }
  return isDeepStrictEqual(a, b) ? [] : [prefix]
}

function leafPaths (v: unknown, prefix: string): string[] {
  if (!isPlainObject(v)) return [prefix]
  const keys = Object.keys(v)
  if (keys.length === 0) return [prefix]
  return keys.flatMap((k) => leafPaths(v[k], prefix === '' ? k : `${prefix}.${k}`))
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
