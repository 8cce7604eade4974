/**
 * Reads one snapshot line (`"<key>":{…},`) from the file's bytes into byte
 * ranges and numbers, so a load builds no JS string or object per entry and
 * leaves the young generation's pages untouched (~16 MB of RSS at 100,000
 * sessions). Anything unusual (an escape, a fraction, a repeated field, a
 * non-ASCII key) returns false and the caller parses that line with JSON.parse.
 */

const NAMES = [
  'key', 'lastMessagePreview', 'label', 'displayName',
  'createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens',
  'agentId', 'sessionId', 'archived', 'pinned'
].map((n) => Buffer.from(n))
/** The first four are the index's record strings, in its order. */
const STRING_FIELDS = 4
const NUMBER_FIRST = 4
const AGENT_ID = 10
const SESSION_ID = 11
const ARCHIVED = 12
/** key, the six numbers, agentId and sessionId. */
const REQUIRED = 0b1111_1111_0001
const MAX_REST = 16
const MAX_DEPTH = 32
/** Longest integer read here; anything longer is JSON.parse's (MAX_SAFE_INTEGER has 16 digits). */
const MAX_DIGITS = 15
const MAX_KEY_BYTES = 512
const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const OPEN = 0x7b
const CLOSE = 0x7d
const LITERALS = ['true', 'false', 'null'].map((l) => Buffer.from(l))
const AGENT_PREFIX = Buffer.from('agent:')

export class EntryLine {
  readonly numbers = new Float64Array(6)
  readonly sessionId = new Uint8Array(16)
  /** [start, end) of key, lastMessagePreview, label, displayName in the source; -1 when absent. */
  readonly strings = new Int32Array(STRING_FIELDS * 2)
  /** archived, pinned: -1 absent, 0 false, 1 true. */
  readonly bools = new Int8Array(2)
  /** [start, end) of every other member (`"name":value`), kept verbatim as JSON. */
  readonly rest = new Int32Array(MAX_REST * 2)
  restCount = 0
  private seen = 0
  /** The agent id inside the line's key. */
  private agentStart = 0
  private agentEnd = 0

  /** True when the line has the plain shape read here and every field an entry needs. */
  parse (buf: Buffer, start: number, end: number): boolean {
    if (buf[end - 1] === COMMA) end -= 1
    this.strings.fill(-1)
    this.bools.fill(-1)
    this.restCount = 0
    this.seen = 0
    const keyEnd = plainString(buf, start, end)
    if (keyEnd < 0 || !this.validKey(buf, start + 1, keyEnd - 1)) return false
    if (buf[keyEnd] !== COLON || buf[keyEnd + 1] !== OPEN || buf[end - 1] !== CLOSE) return false
    const last = end - 1
    for (let p = keyEnd + 2; ;) {
      const nameEnd = plainString(buf, p, last)
      if (nameEnd < 0 || buf[nameEnd] !== COLON) return false
      const valueEnd = this.member(buf, p, nameEnd, last)
      if (valueEnd < 0) return false
      if (valueEnd === last) break
      if (buf[valueEnd] !== COMMA) return false
      p = valueEnd + 1
    }
    return (this.seen & REQUIRED) === REQUIRED && sameBytes(buf, start + 1, keyEnd - 1, buf, this.strings[0]!, this.strings[1]!)
  }

  /** Reads the member named at [nameStart, nameEnd) (quotes included); returns where its value ends, or -1. */
  private member (buf: Buffer, nameStart: number, nameEnd: number, end: number): number {
    const v = nameEnd + 1
    const field = fieldOf(buf, nameStart + 1, nameEnd - 1)
    if (field !== -1) {
      // A repeated field: JSON.parse keeps the last one, so let it decide.
      if ((this.seen & (1 << field)) !== 0) return -1
      this.seen |= 1 << field
    }
    if (field >= 0 && field < STRING_FIELDS && buf[v] === QUOTE) {
      const after = plainString(buf, v, end)
      this.strings[field * 2] = v + 1
      this.strings[field * 2 + 1] = after - 1
      return after
    }
    if (field >= NUMBER_FIRST && field < AGENT_ID) return this.integer(buf, v, end, field - NUMBER_FIRST)
    if (field === AGENT_ID) {
      const after = plainString(buf, v, end)
      return after > 0 && sameBytes(buf, v + 1, after - 1, buf, this.agentStart, this.agentEnd) ? after : -1
    }
    if (field === SESSION_ID) return buf[v + 37] === QUOTE && buf[v] === QUOTE && uuidBytes(buf, v + 1, this.sessionId) ? v + 38 : -1
    if (field >= ARCHIVED && (buf[v] === 0x74 || buf[v] === 0x66)) {
      this.bools[field - ARCHIVED] = buf[v] === 0x74 ? 1 : 0
      return skipValue(buf, v, end, 0)
    }
    const after = skipValue(buf, v, end, 0)
    if (after < 0 || this.restCount === MAX_REST) return -1
    this.rest[this.restCount * 2] = nameStart
    this.rest[this.restCount * 2 + 1] = after
    this.restCount += 1
    return after
  }

  /** `agent:<id>:<rest>` in ASCII, no control characters, as the key pattern requires. */
  private validKey (buf: Buffer, start: number, end: number): boolean {
    if (end - start > MAX_KEY_BYTES || !sameBytes(buf, start, start + AGENT_PREFIX.length, AGENT_PREFIX, 0, AGENT_PREFIX.length)) return false
    let p = start + AGENT_PREFIX.length
    this.agentStart = p
    while (p < end && p - this.agentStart <= 64 && isAgentIdByte(buf[p]!, p === this.agentStart)) p++
    if (p === this.agentStart || p - this.agentStart > 64 || buf[p] !== COLON || p + 1 >= end) return false
    this.agentEnd = p
    for (let i = p + 1; i < end; i++) if (buf[i]! < 0x20 || buf[i]! >= 0x80) return false
    return true
  }

  private integer (buf: Buffer, p: number, end: number, slot: number): number {
    const first = buf[p] === 0x2d ? p + 1 : p
    let i = first
    let n = 0
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) n = n * 10 + buf[i++]! - 0x30
    const digits = i - first
    if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && buf[first] === 0x30)) return -1
    if (i < end && buf[i] !== COMMA) return -1
    this.numbers[slot] = first > p ? -n : n
    return i
  }
}

/** Which of NAMES is at [start, end), or -1 (a plain loop: a closure per member would be young-generation garbage). */
function fieldOf (buf: Buffer, start: number, end: number): number {
  for (let f = 0; f < NAMES.length; f++) if (sameBytes(buf, start, end, NAMES[f]!, 0, NAMES[f]!.length)) return f
  return -1
}

function isAgentIdByte (b: number, first: boolean): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || (!first && (b === 0x5f || b === 0x2d))
}

function sameBytes (a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false
  for (let i = 0; i < aEnd - aStart; i++) if (a[aStart + i] !== b[bStart + i]) return false
  return true
}

/** A string without escapes starting at `p` (its bytes are its UTF-8 value); returns the index after its closing quote, or -1. */
function plainString (buf: Buffer, p: number, end: number): number {
  if (buf[p] !== QUOTE) return -1
  for (let i = p + 1; i < end; i++) {
    const b = buf[i]!
    if (b === QUOTE) return i + 1
    if (b === 0x5c || b < 0x20) return -1
  }
  return -1
}

/** Any valid JSON value starting at `p`; returns the index after it, or -1 (then JSON.parse decides). */
function skipValue (buf: Buffer, p: number, end: number, depth: number): number {
  const c = buf[p]
  if (c === QUOTE) return jsonString(buf, p, end)
  if (c === OPEN || c === 0x5b) {
    if (depth === MAX_DEPTH) return -1
    const close = c === OPEN ? CLOSE : 0x5d
    if (buf[p + 1] === close) return p + 2
    for (let i = p + 1; ;) {
      if (c === OPEN) {
        i = jsonString(buf, i, end)
        if (i < 0 || buf[i] !== COLON) return -1
        i += 1
      }
      i = skipValue(buf, i, end, depth + 1)
      if (i < 0) return -1
      if (buf[i] === close) return i + 1
      if (buf[i] !== COMMA) return -1
      i += 1
    }
  }
  for (let l = 0; l < LITERALS.length; l++) {
    const literal = LITERALS[l]!
    if (sameBytes(buf, p, Math.min(end, p + literal.length), literal, 0, literal.length)) return p + literal.length
  }
  return jsonNumber(buf, p, end)
}

const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74])

function jsonString (buf: Buffer, p: number, end: number): number {
  if (buf[p] !== QUOTE) return -1
  for (let i = p + 1; i < end; i++) {
    const b = buf[i]!
    if (b === QUOTE) return i + 1
    if (b < 0x20) return -1
    if (b !== 0x5c) continue
    const e = buf[++i]!
    if (e === 0x75) {
      for (let j = 1; j <= 4; j++) if (hexValue(buf[i + j]!) < 0) return -1
      i += 4
    } else if (!ESCAPES.has(e)) return -1
  }
  return -1
}

function digits (buf: Buffer, i: number, end: number): number {
  while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++
  return i
}

function jsonNumber (buf: Buffer, p: number, end: number): number {
  let i = buf[p] === 0x2d ? p + 1 : p
  const intEnd = digits(buf, i, end)
  if (intEnd === i || (intEnd - i > 1 && buf[i] === 0x30)) return -1
  i = intEnd
  if (buf[i] === 0x2e) {
    const f = digits(buf, i + 1, end)
    if (f === i + 1) return -1
    i = f
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    const s = buf[i + 1] === 0x2b || buf[i + 1] === 0x2d ? i + 2 : i + 1
    const x = digits(buf, s, end)
    if (x === s) return -1
    i = x
  }
  return i
}

function hexValue (c: number): number {
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1
}

/** A canonical lower-case uuid (36 bytes at `p`) into 16 bytes; false if it is not one. */
export function uuidBytes (buf: Uint8Array, p: number, out: Uint8Array): boolean {
  let b = 0
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (buf[p + i] !== 0x2d) return false
      i -= 1
      continue
    }
    const hi = hexValue(buf[p + i]!)
    const lo = hexValue(buf[p + i + 1]!)
    if (hi < 0 || lo < 0) return false
    out[b++] = hi * 16 + lo
  }
  return b === 16
}
