// The JSON bytes of a provider request body. Preencoded values at the top
// level of a body, or as elements of a top-level array (the system message at
// the head of `messages`), are spliced in as their stored bytes; the rest goes
// through one JSON.stringify. With a 16 KB workspace this took a streamed
// request from ~57 µs to 4–11 µs of encoding (bench/README.md).
import { Preencoded } from './preencoded.js'

/** Pieces of the body after the rest's JSON, in order; each top-level one starts with a comma. */
type Piece = string | Buffer

export function encodeBody (body: Record<string, unknown>): Buffer {
  let pieces: Piece[] | undefined
  const rest: Record<string, unknown> = {}
  for (const key in body) {
    const value = body[key]
    if (value instanceof Preencoded) (pieces ??= []).push(`,${JSON.stringify(key)}:`, value.json)
    else if (Array.isArray(value) && value.some(isPreencoded)) arrayPieces(key, value, pieces ??= [])
    else rest[key] = value
  }
  if (pieces === undefined) return Buffer.from(JSON.stringify(body))
  // Key order means nothing in JSON: the pieces follow the rest, whose closing brace is dropped.
  const json = JSON.stringify(rest)
  const head = json === '{}' ? '{' : json.slice(0, -1)
  // With nothing before it, the first piece (always a string) loses its comma.
  if (json === '{}') pieces[0] = (pieces[0] as string).slice(1)
  pieces.unshift(head)
  pieces.push('}')
  return join(pieces)
}

/** `,"key":[…]` with the Preencoded elements' bytes and the others serialized now, in runs. */
function arrayPieces (key: string, array: unknown[], into: Piece[]): void {
  into.push(`,${JSON.stringify(key)}:[`)
  let runStart = 0
  const flush = (end: number): void => {
    if (end === runStart) return
    const run = JSON.stringify(array.slice(runStart, end))
    into.push(runStart === 0 ? run.slice(1, -1) : `,${run.slice(1, -1)}`)
  }
  for (let i = 0; i < array.length; i++) {
    const element = array[i]
    if (!(element instanceof Preencoded)) continue
    flush(i)
    if (i > 0) into.push(',')
    into.push(element.json)
    runStart = i + 1
  }
  flush(array.length)
  into.push(']')
}

function isPreencoded (value: unknown): boolean {
  return value instanceof Preencoded
}

/** The pieces, one after another, written straight into one buffer. */
function join (pieces: Piece[]): Buffer {
  let size = 0
  for (const piece of pieces) size += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length
  const out = Buffer.allocUnsafe(size)
  let at = 0
  for (const piece of pieces) at += typeof piece === 'string' ? out.write(piece, at) : piece.copy(out, at)
  return out
}
