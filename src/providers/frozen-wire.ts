// The wire form of a frozen part of a model request (the system message, the
// tool list) is made once per part and frozen in turn, so the body encoder
// serializes it once too (see body-encoder.ts). Parts that are not frozen are
// mapped on every call, as before.
import type { BuildContext } from './adapter.js'

export function frozenWire<V extends object> (ctx: BuildContext | undefined, part: object, make: () => V): V {
  if (ctx?.memo === undefined || !Object.isFrozen(part)) return make()
  return ctx.memo(part, () => Object.freeze(make()))
}
