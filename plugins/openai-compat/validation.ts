// Turns Ajv's schema errors into one readable sentence in OpenAI's own
// wording ("Invalid 'temperature': must be <= 2.", "Missing required
// parameter: 'messages'.") with `param` naming the offending field.
import type { FastifySchemaValidationError } from 'fastify'
import { invalidRequest } from './errors.js'

/** `/messages/0/role` → `messages[0].role` */
export function paramOf (instancePath: string): string {
  let out = ''
  for (const segment of instancePath.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(key) ? `[${key}]` : (out === '' ? key : `.${key}`)
  }
  return out
}

/** `messages[0].content[1].type` → `messages[].content[].type`, the key form of `messages`. */
function fieldOf (param: string): string {
  return param.replace(/\[\d+\]/g, '[]')
}

function belongsTo (field: string, key: string): boolean {
  return field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}[`)
}

function describe (e: FastifySchemaValidationError): string {
  const params = e.params as Record<string, unknown>
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
  }
  return e.message ?? 'is invalid'
}

/**
 * A `schemaErrorFormatter` for one route. `messages` holds fixed sentences for
 * union-typed fields (keyed like `messages[].content`), whose raw errors list
 * every branch that failed, and for missing fields (keyed `required:<field>`).
 */
export function formatSchemaErrors (messages: Readonly<Record<string, string>>) {
  return function schemaErrorFormatter (errors: FastifySchemaValidationError[], dataVar: string): Error {
    const first = errors[0]
    if (first === undefined) return invalidRequest(`Invalid request ${dataVar}.`)
    const base = paramOf(first.instancePath)
    const params = first.params as Record<string, unknown>
    if (dataVar === 'headers') return invalidRequest(`Invalid header '${base}': ${describe(first)}.`, base)
    const field = fieldOf(base)
    for (const [key, message] of Object.entries(messages)) {
      if (belongsTo(field, key)) return invalidRequest(message, base)
    }
    if (first.keyword === 'required' && typeof params.missingProperty === 'string') {
      const missing = base === '' ? params.missingProperty : `${base}.${params.missingProperty}`
      return invalidRequest(messages[`required:${fieldOf(missing)}`] ?? `Missing required parameter: '${missing}'.`, missing)
    }
    if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      const extra = base === '' ? params.additionalProperty : `${base}.${params.additionalProperty}`
      return invalidRequest(`Unknown parameter: '${extra}'.`, extra)
    }
    if (base === '') {
      return invalidRequest(first.keyword === 'type' ? 'The request body must be a JSON object.' : `Invalid request ${dataVar}: ${describe(first)}.`)
    }
    return invalidRequest(`Invalid '${base}': ${describe(first)}.`, base)
  }
}
