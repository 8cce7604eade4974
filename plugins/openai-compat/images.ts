// Image inputs (contract 3.4): data: URLs become base64 image parts within
// per-request limits; remote URLs are passed to the provider only when the
// operator allows them (the gateway itself never fetches them).
import type { ContentPart } from '../../src/providers/index.js'
import { invalidRequest } from './errors.js'

export interface ImagePolicy {
  allowUrl: boolean
  /** Decoded bytes per image. */
  maxBytes: number
  /** Decoded bytes of all images in the request. */
  maxTotalBytes: number
  /** Image parts in the current turn. */
  maxParts: number
}

const MB = 1024 * 1024
const ALLOWED_MIMES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif'])
const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/i
const BASE64_BODY = /^[A-Za-z0-9+/\s]*={0,2}\s*$/

/** Limits of contract 3.4, with `gateway.http.endpoints.<endpoint>.images` overrides. */
export function imagePolicy (endpoint: { images?: { allowUrl?: boolean, maxBytes?: number } } | undefined, allowUrlDefault: boolean): ImagePolicy {
  const images = endpoint?.images
  return {
    allowUrl: images?.allowUrl ?? allowUrlDefault,
    maxBytes: images?.maxBytes ?? 10 * MB,
    maxTotalBytes: 20 * MB,
    maxParts: 8
  }
}

/** Counts what one request has used so far against the policy. */
export class ImageBudget {
  private parts = 0
  private bytes = 0
  constructor (private readonly policy: ImagePolicy) {}

  /** `url` is a data: URL or an http(s) URL; `param` names the field in errors. */
  take (url: string, param: string): ContentPart {
    if (++this.parts > this.policy.maxParts) {
      throw invalidRequest(`Too many images: at most ${this.policy.maxParts} image parts per request.`, param, 'too_many_images')
    }
    if (/^https?:\/\//i.test(url)) {
      if (!this.policy.allowUrl) {
        throw invalidRequest(`Remote image URLs are not allowed (${param}); send the image as a base64 data: URL.`, param, 'image_url_not_allowed')
      }
      return { type: 'image', url }
    }
    const head = DATA_URL.exec(url)
    if (head === null || !/;base64$/i.test(head[2] ?? '')) {
      throw invalidRequest(`Invalid image URL (${param}): expected a base64 data: URL or an http(s) URL.`, param, 'invalid_image_url')
    }
    const mimeType = (head[1] ?? '').toLowerCase()
    if (!ALLOWED_MIMES.has(mimeType)) {
      throw invalidRequest(`Unsupported image type '${mimeType}' (${param}); use ${[...ALLOWED_MIMES].join(', ')}.`, param, 'invalid_image_type')
    }
    return this.base64(mimeType, url.slice(head[0].length), param)
  }

  /** A raw base64 payload with a known media type (Responses `source.type: "base64"`). */
  base64 (mimeType: string, data: string, param: string): ContentPart {
    if (!ALLOWED_MIMES.has(mimeType)) {
      throw invalidRequest(`Unsupported image type '${mimeType}' (${param}); use ${[...ALLOWED_MIMES].join(', ')}.`, param, 'invalid_image_type')
    }
    if (!BASE64_BODY.test(data)) throw invalidRequest(`Invalid base64 image data (${param}).`, param, 'invalid_image_url')
    const payload = /\s/.test(data) ? data.replace(/\s+/g, '') : data
    const size = Math.floor(payload.length * 3 / 4) - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0)
    if (size > this.policy.maxBytes) {
      throw invalidRequest(`Image too large (${param}): ${size} bytes, at most ${this.policy.maxBytes}.`, param, 'image_too_large')
    }
    this.bytes += size
    if (this.bytes > this.policy.maxTotalBytes) {
      throw invalidRequest(`Images too large: at most ${this.policy.maxTotalBytes} bytes of images per request.`, param, 'image_too_large')
    }
    return { type: 'image', mimeType, data: payload }
  }
}

/** Text-only parts collapse to a string: every provider accepts that. */
export function collapseParts (parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((p) => p.type === 'text')) return parts.map((p) => (p as { text: string }).text).join('')
  return parts
}
