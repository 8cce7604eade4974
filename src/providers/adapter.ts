// The one generic adapter. Every wire API is described by an ApiSpec (pure request/response
// mapping); this file owns everything they share: the pool, headers, aborts, logging, and the
// wire form of the parts the engine reuses across calls.

import type { Pool } from 'undici'
import { abortedError, errorFromTransport, type ErrorContext } from './classify.js'
import { ProviderError } from '../errors/providers.js'
import { encodeBody } from './body-encoder.js'
import { parseBaseUrl, postJson } from './http.js'
import { Preencoded, plainValue, preencode } from './preencoded.js'
import type { SseEvent } from './sse.js'
import { streamCall } from './stream-call.js'
import type {
  EmbedRequest,
  EmbedResult,
  ModelRequest,
  ProviderAdapter,
  ProviderApi,
  ProviderConfig,
  ProviderDeps,
  ProviderModelConfig,
  StreamEvent,
  ToolSpec
} from './types.js'

/** Turns SSE events of one call into neutral stream events. One instance per call. */
export interface StreamDecoder {
  push(event: SseEvent): StreamEvent[]
  /** Called when the body ends before `finished`; returns the closing events or throws. */
  end(): StreamEvent[]
  /** True once the API's terminal event has been seen and `done` emitted. */
  readonly finished: boolean
}

export interface BuildContext {
  provider: string
  /** The matching entry of `config.models`, if any (used for per-model defaults). */
  modelConfig?: ProviderModelConfig
}

/**
 * A request's system prompt and tool list in wire form, made by the spec's
 * `systemPart` and `toolsPart` (undefined when the request has none). The
 * adapter makes them once for the engine's Preencoded parts and reuses them.
 */
export interface WireParts {
  system: unknown
  /** The system prompt's text, for an API that merges it with other system text. */
  systemText: string | undefined
  tools: unknown
}

/** What a spec builds a body from: the request without the parts it gets in wire form. */
export type BodyRequest = Omit<ModelRequest, 'system' | 'tools'>

export interface EmbeddingsSpec {
  path(basePath: string): string
  buildBody(req: EmbedRequest): Record<string, unknown>
  parse(json: unknown, ctx: ErrorContext): EmbedResult
}

export interface ApiSpec {
  readonly api: ProviderApi
  readonly defaultHeaders: Record<string, string>
  authHeaders(apiKey: string): Record<string, string>
  streamPath(basePath: string): string
  /** The wire form of a system prompt (a message, or for Anthropic the text itself). */
  systemPart(text: string): unknown
  /** The wire form of a (non-empty) tool list. */
  toolsPart(tools: readonly ToolSpec[]): unknown
  /**
   * The request body, plain JSON values with `parts` placed as they are;
   * `req.stream === false` asks for one JSON answer instead of an event stream.
   */
  buildBody(req: BodyRequest, parts: WireParts, ctx: BuildContext): Record<string, unknown>
  createDecoder(ctx: ErrorContext): StreamDecoder
  /** A whole non-streamed answer → the events its stream would have produced (throws ProviderError). */
  decodeResponse(json: unknown, ctx: ErrorContext): StreamEvent[]
  readonly embeddings?: EmbeddingsSpec
}

const EMBED_BODY_LIMIT = 64 * 1024 * 1024
const SENSITIVE_HEADER = /auth|key|token|secret/i

function lowerKeys (headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}

export function createAdapter (id: string, config: ProviderConfig, deps: ProviderDeps, spec: ApiSpec): ProviderAdapter {
  const base = parseBaseUrl(config.baseUrl)
  // undici is ~1 MB of code: loaded on the first call, not at start-up.
  let pool: Promise<Pool> | undefined
  const configHeaders = lowerKeys(config.headers ?? {})
  const headerSecrets = Object.entries(configHeaders)
    .filter(([name]) => SENSITIVE_HEADER.test(name))
    .map(([, value]) => value)
  const streamPath = spec.streamPath(base.basePath)
  const { logger } = deps
  let closed = false
  // The wire form of each of the engine's Preencoded parts, made and encoded once.
  const wireParts = new WeakMap<Preencoded<unknown>, Preencoded<unknown>>()
  function wirePart<T> (part: T | Preencoded<T>, make: (value: T) => unknown): unknown {
    if (!(part instanceof Preencoded)) return make(part)
    let wire = wireParts.get(part)
    if (wire === undefined) {
      wire = preencode(make(part.value))
      wireParts.set(part, wire)
    }
    return wire
  }
  function partsOf (req: ModelRequest): WireParts {
    const { system, tools } = req
    return {
      system: system === undefined ? undefined : wirePart(system, spec.systemPart),
      systemText: system === undefined ? undefined : plainValue(system),
      tools: tools === undefined || plainValue(tools).length === 0 ? undefined : wirePart(tools, spec.toolsPart)
    }
  }

  function closedError (model: string): ProviderError {
    return new ProviderError({ kind: 'network', provider: id, model, message: `provider "${id}" is closed`, retryable: false })
  }

  // Once created, the pool is used directly: no await per call.
  let poolNow: Pool | undefined
  async function getPool (model: string): Promise<Pool> {
    if (closed) throw closedError(model)
    // `default` (module.exports): a bundled CommonJS module has no named exports when imported().
    pool ??= import('undici').then(({ default: undici }) => new undici.Pool(base.origin, { keepAliveTimeout: 10_000 }))
    poolNow = await pool
    return poolNow
  }

  // The key is read per call (a reload may rotate it), but the headers and
  // secrets built from it are reused until it changes: no per-call objects.
  // They are only read downstream (http.send copies the headers).
  interface Prepared {
    apiKey: string | undefined
    /** Auth and configured headers (embeddings add their own content type). */
    headers: Record<string, string>
    /** Complete headers of a streamed and of a whole-answer model call. */
    streamHeaders: Record<string, string>
    jsonHeaders: Record<string, string>
    secrets: string[]
  }
  let prepared: Prepared | undefined
  function prepare (model: string): { call: Prepared, ctx: ErrorContext } {
    if (closed) throw closedError(model)
    const apiKey = deps.getApiKey()
    if (prepared === undefined || prepared.apiKey !== apiKey) {
      const auth = apiKey ? lowerKeys(spec.authHeaders(apiKey)) : {}
      const headers = { ...lowerKeys(spec.defaultHeaders), ...configHeaders, ...auth }
      prepared = {
        apiKey,
        headers,
        streamHeaders: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
        jsonHeaders: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
        secrets: apiKey ? [apiKey, ...headerSecrets] : headerSecrets
      }
    }
    return { call: prepared, ctx: { provider: id, model, secrets: prepared.secrets } }
  }

  function report (err: ProviderError, path: string): void {
    const fields = { provider: id, model: err.model, path, code: err.code, status: err.status }
    if (err.kind === 'aborted') logger?.debug(fields, 'provider call aborted')
    else logger?.warn(fields, 'provider call failed')
  }

  // Events are pushed to the consumer as each upstream read is decoded: one
  // callback per read, no async step per event or per chunk, and no promise
  // of its own around the call's.
  function streamTo (req: ModelRequest, onEvents: (events: StreamEvent[]) => void): Promise<void> {
    try {
      if (poolNow === undefined) return getPool(req.model).then(() => streamTo(req, onEvents))
      const { call, ctx } = prepare(req.model)
      const modelConfig = config.models?.find((m) => m.id === req.model)
      const body = encodeBody(spec.buildBody(req, partsOf(req), { provider: id, modelConfig }))
      const stream = req.stream !== false
      if (logger?.isLevelEnabled?.('debug') !== false) logger?.debug({ provider: id, api: spec.api, model: req.model, path: streamPath, stream }, 'provider request')
      return streamCall({
        pool: poolNow,
        path: streamPath,
        headers: stream ? call.streamHeaders : call.jsonHeaders,
        body,
        whole: stream ? undefined : spec.decodeResponse,
        signal: req.signal,
        ctx,
        createDecoder: spec.createDecoder,
        onEvents,
        mapError: (err) => {
          const error = err instanceof ProviderError ? err : errorFromTransport(ctx, err)
          report(error, streamPath)
          return error
        }
      })
    } catch (err) {
      return Promise.reject(err)
    }
  }

  const adapter: ProviderAdapter = {
    id,
    api: spec.api,
    streamTo,
    async close () {
      if (closed) return
      closed = true
      poolNow = undefined
      await (await pool)?.close()
    }
  }

  const embeddings = spec.embeddings
  if (embeddings) {
    const path = embeddings.path(base.basePath)
    adapter.embed = async (req: EmbedRequest): Promise<EmbedResult> => {
      const { call, ctx } = prepare(req.model)
      try {
        const json = await postJson(await getPool(req.model), { path, headers: call.headers, body: embeddings.buildBody(req), signal: req.signal }, ctx, EMBED_BODY_LIMIT)
        return embeddings.parse(json, ctx)
      } catch (err) {
        // undici rejects with the signal's reason: the signal says whether this was the caller's abort.
        const error = req.signal?.aborted === true ? abortedError(ctx) : errorFromTransport(ctx, err)
        report(error, path)
        throw error
      }
    }
  }
  return adapter
}
