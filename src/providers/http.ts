// The thin HTTP layer over an undici Pool: send JSON, check the status, hand back the body.
// Error bodies are read with a hard cap so a hostile or broken upstream cannot make us buffer it all.

import type { Dispatcher, Pool } from 'undici'
import { errorFromHttpStatus, invalidResponse, tryParseJson, type ErrorContext } from './classify.js'
import { ProviderConfigError } from '../errors/providers.js'

export const ERROR_BODY_LIMIT = 64 * 1024

export interface BaseUrl {
  origin: string
  /** Path prefix without a trailing slash, e.g. "/v1" or "". */
  basePath: string
}

export function parseBaseUrl (raw: string): BaseUrl {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ProviderConfigError('provider baseUrl is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderConfigError(`provider baseUrl must be http(s), got ${url.protocol}`)
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') }
}

export interface BoundedText {
  text: string
  truncated: boolean
}

/** Reads at most `limit` bytes, then destroys the body so the rest is never transferred. */
async function readBounded (body: Dispatcher.ResponseData['body'], limit: number): Promise<BoundedText> {
  const chunks: Buffer[] = []
  let size = 0
  let truncated = false
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room))
      truncated = true
      break
    }
    chunks.push(chunk)
    size += chunk.length
  }
  if (!body.destroyed) body.destroy()
  return { text: Buffer.concat(chunks).toString('utf8'), truncated }
}

export interface JsonPost {
  path: string
  headers: Record<string, string>
  /** A JSON value, or its text already serialized; API bodies are objects, never strings. */
  body: unknown
  signal?: AbortSignal | undefined
}

function send (pool: Pool, post: JsonPost, accept: string): Promise<Dispatcher.ResponseData> {
  return pool.request({
    method: 'POST',
    path: post.path,
    headers: { ...post.headers, 'content-type': 'application/json', accept },
    body: typeof post.body === 'string' ? post.body : JSON.stringify(post.body),
    signal: post.signal
  })
}

async function failFromStatus (ctx: ErrorContext, res: Dispatcher.ResponseData): Promise<never> {
  const { text } = await readBounded(res.body, ERROR_BODY_LIMIT)
  throw errorFromHttpStatus(ctx, { status: res.statusCode, headers: res.headers, bodyText: text })
}

/** Non-streaming JSON call (embeddings). The success body is capped too, just much higher. */
export async function postJson (pool: Pool, post: JsonPost, ctx: ErrorContext, limit: number): Promise<unknown> {
  const res = await send(pool, post, 'application/json')
  if (res.statusCode < 200 || res.statusCode >= 300) return failFromStatus(ctx, res)
  const { text, truncated } = await readBounded(res.body, limit)
  if (truncated) throw invalidResponse(ctx, `response body exceeds ${limit} bytes`)
  const json = tryParseJson(text)
  if (json === undefined) throw invalidResponse(ctx, 'response body is not JSON', text)
  return json
}
