/**
 * How the session index stores strings: bytes in an arena, each behind a varint
 * header that also says "absent" (0) or "UTF-16" (for the rare string with a
 * lone surrogate, which UTF-8 cannot carry), plus the byte-level
 * case-insensitive search that lets `search` skip decoding ASCII records.
 */

/** Header value of an absent field. */
export const ABSENT = 0
const LONE_SURROGATE = /\p{Cs}/u

/** The header for a string: 2·bytes + 2, +1 when stored as UTF-16. */
export function headerOf (s: string): number {
  let i = 0
  while (i < s.length && s.charCodeAt(i) < 0x80) i++
  if (i === s.length) return s.length * 2 + 2
  return LONE_SURROGATE.test(s) ? s.length * 4 + 3 : Buffer.byteLength(s, 'utf8') * 2 + 2
}

export function bytesOf (header: number): number {
  return header === ABSENT ? 0 : (header - 2) >>> 1
}

export function varintSize (n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size += 1
  }
  return size
}

/** Writes `n` at `pos`; returns the position after it. */
export function writeVarint (buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 0x80)
  }
  buf[pos++] = n
  return pos
}

/** Reads a multi-byte varint at `pos` into `out[0]`; returns the position after it. */
export function readVarint (buf: Buffer, pos: number, out: Float64Array): number {
  let n = 0
  let scale = 1
  for (;;) {
    const b = buf[pos++]!
    n += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 0x80
  }
  out[0] = n
  return pos
}

/** Writes a present field's bytes (its header already written); returns the position after them. */
export function writeBytes (buf: Buffer, pos: number, s: string, header: number): number {
  const n = bytesOf(header)
  // ASCII (bytes = chars) copies faster in JS than through the native encoder for these short strings.
  if (n === s.length && (header & 1) === 0) {
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i)
    return pos + n
  }
  return pos + buf.write(s, pos, n, (header & 1) === 1 ? 'utf16le' : 'utf8')
}

export function isAsciiRange (buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false
  return true
}

export function decodeField (buf: Buffer, start: number, header: number): string {
  const end = start + bytesOf(header)
  return (header & 1) === 1 ? buf.toString('utf16le', start, end) : buf.toString('utf8', start, end)
}

/** A lower-cased search term, with its bytes when it is ASCII (else only decoded fields can match). */
export interface Needle { text: string, ascii: Buffer | undefined }

export function needleOf (lowerCased: string): Needle {
  const bytes = Buffer.from(lowerCased, 'utf8')
  return { text: lowerCased, ascii: bytes.length === lowerCased.length ? bytes : undefined }
}

/** ASCII-only haystack: the same answer as `toLowerCase().includes()`, without a string. */
export function includesFolded (buf: Buffer, start: number, end: number, needle: Buffer): boolean {
  const n = needle.length
  if (n === 0) return true
  const first = needle[0]!
  for (let i = start, last = end - n; i <= last; i++) {
    if (fold(buf[i]!) !== first) continue
    let j = 1
    while (j < n && fold(buf[i + j]!) === needle[j]) j++
    if (j === n) return true
  }
  return false
}

function fold (b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b
}
