// Params of the config.* methods (contract 2.2). All closed; `raw` is JSON5
// text (a whole config, or for config.patch a merge patch), size-checked by
// the handler so the error can say how large it was.
import { Type, type Static } from '@sinclair/typebox'
import { Closed } from '../common.js'

export const ConfigSchemaLookupParams = Closed({
  path: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_./\\[\\]\\-*]+$' })
})
export type ConfigSchemaLookupParams = Static<typeof ConfigSchemaLookupParams>

const DeliveryContext = Closed({
  channel: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  accountId: Type.Optional(Type.String()),
  threadId: Type.Optional(Type.Union([Type.String(), Type.Number()]))
})

const Write = {
  raw: Type.String({ description: 'JSON5 text' }),
  baseHash: Type.Optional(Type.String({ description: 'config.get hash; required once the file exists' }))
}

/** What config.apply and config.patch accept about the restart that may follow (OpenClaw's restart sentinel). */
const RestartContext = {
  sessionKey: Type.Optional(Type.String()),
  deliveryContext: Type.Optional(DeliveryContext),
  note: Type.Optional(Type.String()),
  restartDelayMs: Type.Optional(Type.Integer({ minimum: 0 }))
}

export const ConfigSetParams = Closed(Write)
export type ConfigSetParams = Static<typeof ConfigSetParams>

export const ConfigApplyParams = Closed({ ...Write, ...RestartContext })
export type ConfigApplyParams = Static<typeof ConfigApplyParams>

export const ConfigPatchParams = Closed({
  ...Write,
  ...RestartContext,
  replacePaths: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 256 }))
})
export type ConfigPatchParams = Static<typeof ConfigPatchParams>
