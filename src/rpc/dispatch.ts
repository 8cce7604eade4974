// Runs one validated `req` frame against the method table for a connected
// peer: role and scope checks, params validation, idempotency, the handler,
// and the one or two `res` frames. Nothing here throws to the caller; a
// handler failure becomes an error response, never a dead socket.
import { RpcError } from '../errors/index.js'
import type { FastifyBaseLogger as Logger } from 'fastify'
import { gatewayClosing, INTERNAL_ERROR, invalidParams, isAuthorizationError, missingScope, requestCancelled, unauthorizedRole, unknownMethod } from '../errors/rpc.js'
import { resErrFrame, resOkFrame } from './frames.js'
import { idempotencyKeyOf, type IdempotencyCache } from './idempotency.js'
import type { CompiledMethod } from './registry.js'
import { RequestContext, type InflightRequest, type RpcPeer } from './request-context.js'
import { scopeSatisfied } from './scopes.js'
import { describeErrors } from './validation.js'

export type { RpcPeer }

export interface DispatcherOptions {
  lookup: (name: string) => CompiledMethod | undefined
  dedupe: IdempotencyCache
  log: Logger
  isClosing: () => boolean
}

interface Deferred { promise: Promise<unknown>, resolve: (v: unknown) => void, reject: (e: unknown) => void }

export class Dispatcher {
  readonly #opts: DispatcherOptions
  // One-entry cache for methods with `snapshotResult`: the same snapshot (e.g. health) is serialised once.
  #lastPayload: object | undefined
  #lastJson = ''

  constructor (opts: DispatcherOptions) {
    this.#opts = opts
  }

  dispatch (peer: RpcPeer, id: string, name: string, rawParams: unknown): void {
    if (this.#opts.isClosing()) return this.#fail(peer, id, gatewayClosing())
    const method = this.#opts.lookup(name)
    if (method === undefined) return this.#fail(peer, id, unknownMethod(name))
    if (method.role !== 'any' && method.role !== peer.role) return this.#fail(peer, id, unauthorizedRole(peer.role))
    // Static scopes are checked before validation so callers without access learn nothing about params.
    if (typeof method.scope === 'string' && !this.#scopeOk(peer, method.scope)) return this.#fail(peer, id, missingScope(method.scope))
    let params = rawParams === undefined && method.paramsDefaultEmpty ? {} : rawParams
    if (method.params !== undefined && !method.params.Check(params)) {
      // A newer client may send fields we do not know yet: a read ignores them, a write refuses them.
      const known = method.dropUnknown?.(params)
      if (known === undefined || !method.params.Check(known.params)) {
        // Report what is wrong with the fields we know, not the ones a read would have ignored.
        return this.#fail(peer, id, invalidParams(name, describeErrors(method.params, known?.params ?? params)))
      }
      peer.log.debug({ method: name, ignored: known.dropped }, 'ignored unknown params of a read-only method')
      params = known.params
    }
    if (typeof method.scope === 'function') {
      const scope = method.scope(params)
      if (!this.#scopeOk(peer, scope)) return this.#fail(peer, id, missingScope(scope))
    }
    void this.#run(peer, method, id, params)
  }

  #scopeOk (peer: RpcPeer, scope: string): boolean {
    // Node connections are authorised by role alone (contract 1.4).
    return scope === 'none' || peer.role === 'node' || scopeSatisfied(scope, peer.scopeSet)
  }

  async #run (peer: RpcPeer, method: CompiledMethod, id: string, params: unknown): Promise<void> {
    const inflight: InflightRequest = { controller: undefined, cancelled: false }
    peer.inflight.set(id, inflight)
    const key = method.idempotent ? idempotencyKeyOf(params) : undefined
    let first: Deferred | undefined
    try {
      if (key !== undefined) {
        const cached = this.#opts.dedupe.lookup(method.name, key)
        if (cached !== undefined) {
          this.#sendOk(peer, id, await cached, method)
          return
        }
        first = deferred()
        this.#opts.dedupe.remember(method.name, key, first.promise)
      }
      const ctx = new RequestContext(peer, inflight, (payload) => {
        first?.resolve(payload)
        this.#sendOk(peer, id, payload, undefined)
      })
      const result = await method.handler(params, ctx)
      first?.resolve(result)
      this.#sendOk(peer, id, result, method)
    } catch (err) {
      first?.reject(err)
      this.#handleError(peer, method, id, inflight, err)
    } finally {
      if (peer.inflight.get(id) === inflight) peer.inflight.delete(id)
    }
  }

  #handleError (peer: RpcPeer, method: CompiledMethod, id: string, inflight: InflightRequest, err: unknown): void {
    if (err instanceof RpcError) return this.#fail(peer, id, err)
    if (inflight.cancelled) return this.#fail(peer, id, requestCancelled())
    if (!peer.open) return
    peer.log.error({ err, method: method.name }, 'rpc handler failed')
    peer.send(resErrFrame(id, INTERNAL_ERROR))
  }

  #fail (peer: RpcPeer, id: string, err: RpcError): void {
    peer.send(resErrFrame(id, err.toShape()))
    if (isAuthorizationError(err)) peer.unauthorized()
  }

  #sendOk (peer: RpcPeer, id: string, payload: unknown, method: CompiledMethod | undefined): void {
    if (!peer.open) return
    if (method?.result !== undefined && !method.result.Check(payload)) {
      peer.log.error({ method: method.name, issue: describeErrors(method.result, payload) }, 'rpc result failed its schema')
      peer.send(resErrFrame(id, INTERNAL_ERROR))
      return
    }
    let json: string | undefined
    try {
      json = this.#serialize(payload, method?.snapshotResult === true)
    } catch (err) {
      peer.log.error({ err, method: method?.name }, 'rpc result is not serialisable')
      peer.send(resErrFrame(id, INTERNAL_ERROR))
      return
    }
    peer.send(resOkFrame(id, json))
  }

  #serialize (payload: unknown, snapshot: boolean): string | undefined {
    if (payload === undefined) return undefined
    if (!snapshot || typeof payload !== 'object' || payload === null) return JSON.stringify(payload)
    if (payload !== this.#lastPayload) {
      this.#lastJson = JSON.stringify(payload)
      this.#lastPayload = payload
    }
    return this.#lastJson
  }
}

function deferred (): Deferred {
  let resolve!: (v: unknown) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<unknown>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  // Nobody may be waiting on a failed first call; that is not an unhandled rejection.
  promise.catch(() => {})
  return { promise, resolve, reject }
}
