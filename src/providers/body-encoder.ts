// The JSON bytes of provider request bodies. Two costs are cut here, both on
// every model call:
// - A frozen value is taken as immutable (specs freeze only what they never
//   change), so its bytes are kept and reused: the tool list and the system
//   message (the workspace's bootstrap files, often tens of KB) are the same
//   on every call of an agent, and are serialized and encoded once. Frozen
//   values count at the top level of a body and as elements of a top-level
//   array (the system message at the head of `messages`).
// - Bodies are written into shared slabs, many bodies per allocation, and
//   handed out as views. A body of a few KB from Node's 8 KB buffer pool took
//   half a pool, so every other call paid for a new ArrayBuffer, and the
//   parts were copied twice (each part into its own buffer, then together).
// A slab is never written twice: its space only moves forward, and it is
// freed when the last body viewing it is.

/** A frozen value's bytes in a body, with the key it was serialized under (undefined for an array element). */
interface Fragment { key: string | undefined, bytes: Buffer }

/** Pieces of the body after the rest's JSON, in order; each top-level one starts with a comma. */
type Piece = string | Buffer

export const SLAB_BYTES = 256 * 1024
/** Bodies bigger than this get a buffer of their own (a long history would empty a slab at once). */
export const SLAB_MAX_BODY = SLAB_BYTES / 4

export class BodyEncoder {
  private readonly fragments = new WeakMap<object, Fragment>()
  private slab: Buffer = Buffer.alloc(0)
  private used = 0

  encode (body: Record<string, unknown>): Buffer {
    let pieces: Piece[] | undefined
    const rest: Record<string, unknown> = {}
    for (const key in body) {
      const value = body[key]
      if (isFrozenObject(value)) (pieces ??= []).push(this.fragment(key, value))
      else if (Array.isArray(value) && value.some(isFrozenObject)) this.arrayPieces(key, value, pieces ??= [])
      else rest[key] = value
    }
    // The rest goes through one native JSON.stringify; the pieces are appended
    // after it (key order means nothing in JSON).
    const json = JSON.stringify(pieces === undefined ? body : rest)
    if (pieces === undefined) return this.write([json])
    // `{...` without its closing brace; with nothing before them, the first piece loses its comma.
    const head = json === '{}' ? '{' : json.slice(0, -1)
    const first = pieces[0]!
    if (json === '{}') pieces[0] = typeof first === 'string' ? first.slice(1) : first.subarray(1)
    return this.write([head, ...pieces, '}'])
  }

  /** `,"key":[…]` with the frozen elements' cached bytes and the others serialized now, in runs. */
  private arrayPieces (key: string, array: unknown[], into: Piece[]): void {
    into.push(`,${JSON.stringify(key)}:[`)
    let runStart = 0
    const flush = (end: number): void => {
      if (end === runStart) return
      const run = JSON.stringify(array.slice(runStart, end))
      into.push(runStart === 0 ? run.slice(1, -1) : `,${run.slice(1, -1)}`)
    }
    for (let i = 0; i < array.length; i++) {
      const element = array[i]
      if (!isFrozenObject(element)) continue
      flush(i)
      const bytes = this.fragment(undefined, element)
      into.push(i === 0 ? bytes.subarray(1) : bytes)
      runStart = i + 1
    }
    flush(array.length)
    into.push(']')
  }

  /** `,"key":<json>` of a frozen value (`,<json>` for an element), made once per value and key. */
  private fragment (key: string | undefined, value: object): Buffer {
    let fragment = this.fragments.get(value)
    if (fragment === undefined || fragment.key !== key) {
      const text = key === undefined ? `,${JSON.stringify(value)}` : `,${JSON.stringify(key)}:${JSON.stringify(value)}`
      fragment = { key, bytes: Buffer.from(text) }
      this.fragments.set(value, fragment)
    }
    return fragment.bytes
  }

  /** The pieces, one after another, in a slab (or, for a big body, a buffer of its own). */
  private write (pieces: Piece[]): Buffer {
    // At most three bytes per UTF-16 unit: a slab's room is checked before writing.
    let most = 0
    for (const piece of pieces) most += typeof piece === 'string' ? piece.length * 3 : piece.length
    if (most > SLAB_MAX_BODY) return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
    if (this.used + most > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
      this.used = 0
    }
    const slab = this.slab
    const start = this.used
    let at = start
    for (const piece of pieces) {
      if (typeof piece === 'string') at += slab.write(piece, at, 'utf8')
      else at += piece.copy(slab, at)
    }
    // The next body starts 8-byte aligned.
    this.used = (at + 7) & ~7
    return slab.subarray(start, at)
  }
}

function isFrozenObject (value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.isFrozen(value)
}
