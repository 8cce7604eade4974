// Route schemas compiled off the listen path. Compiling every validator (Ajv) and
// serializer (fast-json-stringify) at ready() was ~150 ms before the port opened. Here a
// route compiles on its first request, or earlier through `warm()`, which the app runs in
// small slices right after it starts listening, so requests rarely pay for a compile.
// The compilers and their options are Fastify's defaults; only the moment changes. A broken
// schema therefore fails on warm-up or the route's first request rather than at ready().
import { AjvCompiler, type ValidatorCompiler, type ValidatorFactory } from '@fastify/ajv-compiler'
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler'

/** What Fastify uses of a validator: it calls it, then reads `errors`. */
type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** `schemaController.compilersFactory` for `Fastify({ ... })`. */
export function lazyCompilers (): { buildValidator: ValidatorFactory, buildSerializer: SerializerFactory, warm: () => Promise<number> } {
  const buildValidator = AjvCompiler()
  const buildSerializer = SerializerSelector()
  // Compiles not yet forced by a request; each entry removes itself once it has run.
  const pending = new Set<() => void>()
  return {
    /**
     * Compiles everything still pending, one route part per macrotask so the loop stays
     * responsive; resolves with how many it compiled.
     */
    warm: async () => {
      let compiled = 0
      for (const force of [...pending]) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        if (!pending.has(force)) continue
        try { force(); compiled++ } catch { /* the route reports its broken schema on its first request */ }
      }
      return compiled
    },
    buildValidator: (externalSchemas, options) => {
      // Even the Ajv instance (with its formats) waits for the first compile.
      let compiler: ReturnType<ValidatorFactory> | undefined
      const compile: ReturnType<ValidatorFactory> = (route) => (compiler ??= buildValidator(externalSchemas, options))(route)
      return (route) => {
        // With a custom compiler factory Fastify passes header schemas through as written
        // instead of lowercasing their names, and Node lowercases every received header name.
        if (route.httpPart === 'headers') assertLowercaseNames(route.schema, `${route.method} ${route.url}`)
        let validate: Validate | undefined
        const force = (): Validate => { pending.delete(force); return (validate ??= compile(route) as Validate) }
        pending.add(force)
        const lazy: Validate = (data) => {
          const v = validate ?? force()
          const result = v(data)
          lazy.errors = v.errors
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
        const force = (): ((doc: unknown) => string) => { pending.delete(force); return (serialize ??= compile(route)) }
        pending.add(force)
        return (doc: unknown) => (serialize ?? force())(doc)
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
