// The config schema as clients see it (config.schema, config.schema.lookup):
// plain JSON Schema (TypeBox's symbol keys dropped) and, per path, the UI
// hints the Control UI reads: label, help, whether the value is a secret and
// whether a change needs a restart.
import type { TSchema } from '@sinclair/typebox'
import { GatewayConfig } from '../../schemas/config.js'
import { isSensitivePath } from './redact.js'
import { classifyPath, type ReloadKind } from './reload-plan.js'
import { childSchema, isContainer, isPlainObject } from './schema-walk.js'

export interface UiHint { label?: string, help?: string, sensitive?: boolean, restart?: boolean }

export interface SchemaDoc {
  readonly schema: Record<string, unknown>
  /** Keyed by schema path: `a.b`, `*` for a record key, `[]` for array items. */
  readonly uiHints: Readonly<Record<string, UiHint>>
}

export interface LookupChild {
  key: string
  path: string
  type?: string | string[]
  required: boolean
  hasChildren: boolean
  reloadKind: ReloadKind
  hint?: UiHint
  hintPath?: string
}

export interface LookupResult {
  path: string
  schema: Record<string, unknown>
  reloadKind: ReloadKind
  hint?: UiHint
  hintPath?: string
  children: LookupChild[]
}

export function buildSchemaDoc (root: TSchema = GatewayConfig): SchemaDoc {
  // JSON round trip: TypeBox's Kind/Optional markers are symbol keys and do not survive it.
  const schema = JSON.parse(JSON.stringify(root)) as Record<string, unknown>
  const uiHints: Record<string, UiHint> = {}
  collectHints(schema as TSchema, '', false, uiHints)
  return { schema, uiHints }
}

/** Records the hints of `schema` and everything below it; returns whether every change there needs a restart. */
function collectHints (schema: TSchema, path: string, quiet: boolean, out: Record<string, UiHint>): boolean {
  const silenced = quiet || schema.sensitive === false
  const children = childEntries(schema)
  // A container needs a restart only if all of it does (gateway.auth holds the hot token).
  let restart = children.length === 0 ? classifyPath(path) === 'restart' : true
  for (const [key, child] of children) restart = collectHints(child, joinPath(path, key), silenced, out) && restart
  if (path !== '') {
    const hint = hintFor(schema, path, quiet)
    if (restart) hint.restart = true
    if (Object.keys(hint).length > 0) out[path] = hint
  }
  return restart
}

function hintFor (schema: TSchema, path: string, quiet: boolean): UiHint {
  const hint: UiHint = {}
  if (typeof schema.title === 'string') hint.label = schema.title
  if (typeof schema.description === 'string') hint.help = schema.description
  if (schema.sensitive === true || (schema.sensitive !== false && !quiet && isSensitivePath(path.replace(/\[\]$/, '')) && holdsStrings(schema))) hint.sensitive = true
  return hint
}

function holdsStrings (schema: TSchema): boolean {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).some(holdsStrings)
  return schema.type === 'string' || (schema.type === 'array' && isPlainObject(schema.items) && holdsStrings(schema.items as TSchema))
}

/** Named children of a node: properties, `*` for record values, `[]` for array items (union branches merged). */
function childEntries (schema: TSchema): Array<[string, TSchema]> {
  const out = new Map<string, TSchema>()
  const visit = (s: TSchema) => {
    if (Array.isArray(s.anyOf)) { for (const b of s.anyOf as TSchema[]) visit(b); return }
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, TSchema>)) if (!out.has(k)) out.set(k, v)
    const record = s.patternProperties !== undefined || isPlainObject(s.additionalProperties) ? childSchema(s, '*') : undefined
    if (record !== undefined && !out.has('*')) out.set('*', record)
    if (s.type === 'array' && isPlainObject(s.items) && !out.has('[]')) out.set('[]', s.items as TSchema)
  }
  visit(schema)
  return [...out]
}

function joinPath (path: string, key: string): string {
  if (key === '[]') return `${path}[]`
  return path === '' ? key : `${path}.${key}`
}

/** Splits `a.b[0].c`, `a.*.c`, `a.b[].c` into segments (`[0]` and `[]` both mean array items). */
export function splitPath (path: string): string[] {
  return path.replace(/\[\d*\]/g, '.[]').split('.').filter((s) => s !== '')
}

/** The node at `path` with its immediate children, or undefined when the schema has no such path. */
export function lookupSchema (doc: SchemaDoc, path: string): LookupResult | undefined {
  const segments = splitPath(path)
  let node = doc.schema as TSchema
  let hintPath = ''
  for (const seg of segments) {
    const next = childSchema(node, seg)
    if (next === undefined) return undefined
    const generic = isNamedProperty(node, seg) ? seg : (seg === '[]' ? '[]' : '*')
    hintPath = joinPath(hintPath, generic)
    node = next
  }
  const requiredSet = new Set(requiredKeys(node))
  const children = childEntries(node).map(([key, child]): LookupChild => {
    const childHintPath = joinPath(hintPath, key)
    const c: LookupChild = {
      key,
      path: joinPath(segments.join('.').replace(/\.\[\]/g, '[]'), key),
      required: requiredSet.has(key),
      hasChildren: isContainer(child),
      reloadKind: classifyPath(childHintPath)
    }
    const type = typeOf(child)
    if (type !== undefined) c.type = type
    const hint = doc.uiHints[childHintPath]
    if (hint !== undefined) { c.hint = hint; c.hintPath = childHintPath }
    return c
  })
  const result: LookupResult = { path, schema: shallow(node), reloadKind: classifyPath(hintPath), children }
  const hint = doc.uiHints[hintPath]
  if (hint !== undefined) { result.hint = hint; result.hintPath = hintPath }
  return result
}

function isNamedProperty (schema: TSchema, key: string): boolean {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).some((b) => isNamedProperty(b, key))
  return isPlainObject(schema.properties) && Object.hasOwn(schema.properties, key)
}

function requiredKeys (schema: TSchema): string[] {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).flatMap(requiredKeys)
  return Array.isArray(schema.required) ? schema.required as string[] : []
}

function typeOf (schema: TSchema): string | string[] | undefined {
  if (Array.isArray(schema.anyOf)) {
    const types = [...new Set((schema.anyOf as TSchema[]).flatMap((b) => [typeOf(b) ?? []].flat()))]
    return types.length === 0 ? undefined : (types.length === 1 ? types[0] : types)
  }
  if (typeof schema.type === 'string') return schema.type
  if (schema.const !== undefined) return typeof schema.const
  return undefined
}

/** The node without its subtrees: clients ask for children one level at a time. */
function shallow (schema: TSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'patternProperties') continue
    if (k === 'items' && isPlainObject(v)) { out.items = shallow(v as TSchema); continue }
    if (k === 'anyOf' && Array.isArray(v)) { out.anyOf = (v as TSchema[]).map(shallow); continue }
    if (k === 'additionalProperties' && isPlainObject(v)) { out.additionalProperties = true; continue }
    out[k] = v
  }
  return out
}
