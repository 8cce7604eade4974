// Route schemas compiled off the listen path. Compiling every validator (Ajv) and
// serializer (fast-json-stringify) at ready() was ~150 ms before the port opened. Here a
// route compiles on its first request, or earlier through `warm()`, which the app runs in
// small slices right after it starts listening (serializers only: warming every validator
// held ~10 MB of idle memory for routes most gateways never see).
// The compilers and their options are Fastify's defaults; only the moment changes. A broken
// schema therefore fails on warm-up or the route's first request rather than at ready().
import { AjvCompiler, type ValidatorCompiler, type ValidatorFactory } from '@fastify/ajv-compiler'
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler'

/** What Fastify uses of a validator: it calls it, then reads `errors`. */
type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** A compile `warm()` may run ahead of the first request. */
export type CompileKind = 'validator' | 'serializer'

/** `schemaController.compilersFactory` for `Fastify({ ... })`. */
export function lazyCompilers (): {
  buildValidator: ValidatorFactory
  buildSerializer: SerializerFactory
  warm: (kinds?: readonly CompileKind[]) => Promise<number>
} {
  const buildValidator = AjvCompiler()
  const buildSerializer = SerializerSelector()
  // Compiles not yet forced by a request, by kind; each entry removes itself once it has run.
  const pending = new Map<() => void, CompileKind>()
  return {
    /**
     * Compiles what is still pending of `kinds` (default: both), one route part per macrotask
     * so the loop stays responsive; resolves with how many it compiled.
     */
    warm: async (kinds = ['validator', 'serializer']) => {
      let compiled = 0
      for (const [force, kind] of [...pending]) {
        if (!kinds.includes(kind)) continue
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
        pending.set(force, 'validator')
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
        pending.set(force, 'serializer')
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
