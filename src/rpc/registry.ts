// The method table: name → compiled definition. Schemas are compiled once,
// here, so the request path only runs the generated checkers.
import { Kind, type TSchema } from '@sinclair/typebox'
import { SCOPE_READ } from './scopes.js'
import { RpcRegistryError } from '../errors/rpc.js'
import type { MethodDefinition, Role, RpcContext, ScopeSpec } from './types.js'
import { compile, type Validator } from './validation.js'

export interface CompiledMethod {
  readonly name: string
  readonly scope: ScopeSpec<unknown>
  readonly role: Role | 'any'
  readonly params: Validator | undefined
  /** The params schema is an object: absent params are validated as `{}`. */
  readonly paramsDefaultEmpty: boolean
  readonly result: Validator | undefined
  readonly advertise: boolean
  readonly idempotent: boolean
  /** Read-only methods: params without the unknown top-level keys, or undefined when there were none. */
  readonly dropUnknown: ((params: unknown) => { params: Record<string, unknown>, dropped: string[] } | undefined) | undefined
  readonly snapshotResult: boolean
  readonly handler: (params: unknown, ctx: RpcContext) => Promise<unknown>
}

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/

export class MethodRegistry {
  readonly #methods = new Map<string, CompiledMethod>()
  readonly #events = new Set<string>()
  #advertised: readonly string[] | undefined
  #eventList: readonly string[] | undefined

  register (name: string, def: MethodDefinition<TSchema, TSchema>): void {
    if (!METHOD_NAME.test(name)) throw new RpcRegistryError('RPC_METHOD_INVALID', `invalid method name: ${name}`)
    if (this.#methods.has(name)) throw new RpcRegistryError('RPC_METHOD_DUPLICATE', `method already registered: ${name}`)
    if (typeof def.handler !== 'function') throw new RpcRegistryError('RPC_METHOD_INVALID', `method ${name} has no handler`)
    this.#methods.set(name, Object.freeze({
      name,
      scope: def.scope as ScopeSpec<unknown>,
      role: def.role ?? 'operator',
      params: def.params === undefined ? undefined : compile(def.params),
      paramsDefaultEmpty: def.params !== undefined && def.params[Kind] === 'Object',
      result: def.result === undefined ? undefined : compile(def.result),
      advertise: def.advertise !== false,
      idempotent: def.idempotent === true,
      dropUnknown: (def.readOnly ?? def.scope === SCOPE_READ) ? unknownKeyDropper(def.params) : undefined,
      snapshotResult: def.snapshotResult === true,
      handler: def.handler as CompiledMethod['handler']
    }))
    this.#advertised = undefined
  }

  /** Removes a method (a plugin's, on reload or rollback); false when it was not registered. */
  unregister (name: string): boolean {
    const removed = this.#methods.delete(name)
    if (removed) this.#advertised = undefined
    return removed
  }

  get (name: string): CompiledMethod | undefined { return this.#methods.get(name) }

  has (name: string): boolean { return this.#methods.has(name) }

  methods (): readonly string[] {
    this.#advertised ??= Object.freeze([...this.#methods.values()].filter((m) => m.advertise).map((m) => m.name).sort())
    return this.#advertised
  }

  advertiseEvents (names: readonly string[]): void {
    for (const n of names) {
      if (!EVENT_NAME.test(n)) throw new RpcRegistryError('RPC_METHOD_INVALID', `invalid event name: ${n}`)
      this.#events.add(n)
    }
    this.#eventList = undefined
  }

  events (): readonly string[] {
    this.#eventList ??= Object.freeze([...this.#events].sort())
    return this.#eventList
  }
}

/** Top-level property names an object schema (or a union of them) declares; undefined when open-ended. */
function declaredKeys (schema: TSchema): Set<string> | undefined {
  if (schema[Kind] === 'Object') return new Set(Object.keys(schema.properties as object))
  if (schema[Kind] !== 'Union') return undefined
  const keys = new Set<string>()
  for (const member of schema.anyOf as TSchema[]) {
    const own = declaredKeys(member)
    if (own === undefined) return undefined
    for (const k of own) keys.add(k)
  }
  return keys
}

function unknownKeyDropper (schema: TSchema | undefined): CompiledMethod['dropUnknown'] {
  const known = schema === undefined ? undefined : declaredKeys(schema)
  if (known === undefined) return undefined
  return (params) => {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined
    const dropped = Object.keys(params).filter((k) => !known.has(k))
    if (dropped.length === 0) return undefined
    const kept: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(params)) if (known.has(k)) kept[k] = v
    return { params: kept, dropped }
  }
}
