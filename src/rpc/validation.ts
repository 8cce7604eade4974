// Compiled TypeBox validators and the one-line error text used in
// "invalid <method> params: …" / "invalid connect params: …" messages.
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'

export type Validator<T extends TSchema = TSchema> = TypeCheck<T>

export function compile<T extends TSchema> (schema: T): Validator<T> {
  return TypeCompiler.Compile(schema)
}

const MAX_REPORTED = 3

/** `at /client/id: Expected union value; at root: Unexpected property` (first few paths only). */
export function describeErrors (validator: Validator, value: unknown): string {
  const parts: string[] = []
  const seen = new Set<string>()
  for (const e of validator.Errors(value)) {
    // Unions report one error per branch; the first per path is the useful one.
    if (seen.has(e.path)) continue
    seen.add(e.path)
    parts.push(`at ${e.path === '' ? 'root' : e.path}: ${e.message}`)
    if (parts.length >= MAX_REPORTED) break
  }
  return parts.length === 0 ? 'invalid value' : parts.join('; ')
}
