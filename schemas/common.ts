// Schema helpers shared by every schema file.
import { Type, type TLiteral, type TSchema, type TProperties, type ObjectOptions } from '@sinclair/typebox'

/** Our own protocol and config objects are closed: unknown keys are an error. */
export const Closed = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options })

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** A closed set of strings, as a union of literals (TypeBox's compiler and Ajv both understand it). */
export const StringEnum = <T extends string[]>(values: readonly [...T], options: { title?: string, description?: string } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)) as unknown as [TLiteral<T[number]>], options)

export const NonEmptyString = Type.String({ minLength: 1 })

/** A 200 that is a JSON object, or an event stream of `event` when the request asked for `stream: true`. */
export const JsonOrEventStream = <J extends TSchema, E extends TSchema>(description: string, json: J, event: E) => ({
  description,
  content: {
    'application/json': { schema: json },
    'text/event-stream': { schema: event }
  }
})
