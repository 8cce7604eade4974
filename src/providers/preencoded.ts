// A value sent unchanged on many model calls (an agent's system prompt, its
// tool list), marked so that its JSON is made once: the body encoder splices
// these bytes instead of serializing the value again (see body-encoder.ts).
// The value must not change once wrapped.

export class Preencoded<T> {
  readonly value: T
  #json: Buffer | undefined

  constructor (value: T) {
    this.value = value
  }

  /** The value's JSON text in UTF-8, made on first use. */
  get json (): Buffer {
    this.#json ??= Buffer.from(JSON.stringify(this.value))
    return this.#json
  }

  /** A plain JSON.stringify (a test, a log line) sees the value itself. */
  toJSON (): T {
    return this.value
  }
}

export function preencode<T> (value: T): Preencoded<T> {
  return new Preencoded(value)
}

/** The value, whether wrapped or not. */
export function plainValue<T> (value: T | Preencoded<T>): T {
  return value instanceof Preencoded ? value.value : value
}
