// Compiled TypeBox validators and the one-line error text used in
// "invalid <method> params: …" / "invalid connect params: …" messages.
import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { ValueError } from '@sinclair/typebox/errors'

/** The part of TypeBox's TypeCheck the gateway uses. */
export interface Validator<T extends TSchema = TSchema> {
  Check: (value: unknown) => value is Static<T>
  Errors: (value: unknown) => Iterable<ValueError>
}

/**
 * Compiled on first use: compiling every method's params and result schemas up front
 * was ~17 ms of start-up, mostly for methods a given gateway never serves.
 */
export function compile<T extends TSchema> (schema: T): Validator<T> {
  let check: TypeCheck<T> | undefined
  const compiled = () => (check ??= TypeCompiler.Compile(schema))
  return {
    Check: (value: unknown): value is Static<T> => compiled().Check(value),
    Errors: (value: unknown) => compiled().Errors(value)
  }
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
