// Route schemas compiled on a route's first request instead of at ready(). Compiling every
// validator (Ajv) and serializer (fast-json-stringify) was ~150 ms of start-up CPU, spent
// before the first request and largely on routes a given deployment never calls.
// The compilers and their options are Fastify's defaults; only the moment changes. A broken
// schema therefore fails on the route's first request rather than at start-up (the tests
// call every route).
import { AjvCompiler, type ValidatorCompiler, type ValidatorFactory } from '@fastify/ajv-compiler'
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler'

/** What Fastify uses of a validator: it calls it, then reads `errors`. */
type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** `schemaController.compilersFactory` for `Fastify({ ... })`. */
export function lazyCompilers (): { buildValidator: ValidatorFactory, buildSerializer: SerializerFactory } {
  const buildValidator = AjvCompiler()
  const buildSerializer = SerializerSelector()
  return {
    buildValidator: (externalSchemas, options) => {
      // Even the Ajv instance (with its formats) waits for the first compile.
      let compiler: ReturnType<ValidatorFactory> | undefined
      const compile: ReturnType<ValidatorFactory> = (route) => (compiler ??= buildValidator(externalSchemas, options))(route)
      return (route) => {
        // With a custom compiler factory Fastify passes header schemas through as written
        // instead of lowercasing their names, and Node lowercases every received header name.
        if (route.httpPart === 'headers') assertLowercaseNames(route.schema, `${route.method} ${route.url}`)
        let validate: Validate | undefined
        const lazy: Validate = (data) => {
          validate ??= compile(route) as Validate
          const result = validate(data)
          lazy.errors = validate.errors
          return result
        }
        return lazy as ReturnType<ValidatorCompiler>
      }
    },
    buildSerializer: (externalSchemas, options) => {
      let compiler: ReturnType<SerializerFactory> | undefined
      const compile: ReturnType<SerializerFactory> = (route) => (compiler ??= buildSerializer(externalSchemas, options))(route)
      return (route) => {
        let serialize: ((doc: unknown) => string) | undefined
        return (doc: unknown) => (serialize ??= compile(route))(doc)
      }
    }
  }
}

function assertLowercaseNames (schema: unknown, route: string): void {
  const s = schema as { properties?: Record<string, unknown>, required?: unknown }
  const names = [...Object.keys(s.properties ?? {}), ...(Array.isArray(s.required) ? s.required as string[] : [])]
  const upper = names.find((n) => n !== n.toLowerCase())
  if (upper !== undefined) throw new Error(`${route}: header schema names must be lowercase (${upper})`)
}
