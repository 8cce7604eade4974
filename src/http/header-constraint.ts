// A find-my-way constraint derived from request headers: routes that declare it
// match only requests for which `derive` returns their value; other requests
// fall through to the unconstrained routes on the same path.
import type { FastifyInstance } from 'fastify'

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0]
type Headers = Record<string, string | string[] | undefined>

/** Adds the strategy once per instance tree (two plugins may share it). */
export function addHeaderConstraint (app: FastifyInstance, name: string, derive: (headers: Headers) => string | undefined): void {
  if (app.hasConstraintStrategy(name)) return
  app.addConstraintStrategy({
    name,
    // One store per route node: find-my-way calls this for every path that uses the constraint.
    storage: () => {
      const handlers = new Map<unknown, unknown>()
      return { get: (value: unknown) => (handlers.get(value) ?? null) as never, set: (value: unknown, handler: unknown) => { handlers.set(value, handler) } }
    },
    deriveConstraint: (req: { headers: Headers }) => derive(req.headers),
    mustMatchWhenDerived: false
  } as unknown as ConstraintStrategy)
}
