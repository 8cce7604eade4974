// Steps through the config's JSON Schema (TypeBox schemas are JSON Schema)
// one key at a time: object properties, record values, array items, and the
// branches of a union. Shared by redaction and the schema document.
import type { TSchema } from '@sinclair/typebox'

export function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The schema of `key` under `schema` (`[]` for array items), or undefined when the schema has no such child. */
export function childSchema (schema: TSchema, key: string): TSchema | undefined {
  if (Array.isArray(schema.anyOf)) {
    for (const branch of schema.anyOf as TSchema[]) {
      const found = childSchema(branch, key)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (key === '[]' || /^\[\d+\]$/.test(key)) return isPlainObject(schema.items) ? schema.items as TSchema : undefined
  const props = schema.properties as Record<string, TSchema> | undefined
  if (props !== undefined && Object.hasOwn(props, key)) return props[key]
  const patterns = schema.patternProperties as Record<string, TSchema> | undefined
  if (patterns !== undefined) {
    for (const [pattern, s] of Object.entries(patterns)) if (key === '*' || new RegExp(pattern).test(key)) return s
  }
  if (isPlainObject(schema.additionalProperties)) return schema.additionalProperties as TSchema
  return undefined
}

/** Whether a schema node holds named children (an object or record, possibly among union branches). */
export function isContainer (schema: TSchema): boolean {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).some(isContainer)
  return schema.type === 'object' || schema.type === 'array'
}
