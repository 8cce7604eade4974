// `channels.telegram` account settings (docs/channels.md). Keys OpenClaw
// writes that this gateway does not use are accepted and ignored.
import { Type, type Static } from '@sinclair/typebox'
import { SecretInput } from '../../../schemas/config.js'

export const TelegramAccountConfig = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  name: Type.Optional(Type.String()),
  botToken: Type.Optional(SecretInput),
  apiRoot: Type.String({ default: 'https://api.telegram.org', pattern: '^https?://' }),
  pollTimeoutSeconds: Type.Integer({ minimum: 0, maximum: 50, default: 25 }),
  requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 30_000 }),
  dmPolicy: Type.Optional(Type.Union([Type.Literal('pairing'), Type.Literal('allowlist'), Type.Literal('open'), Type.Literal('disabled')])),
  allowFrom: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Integer()]))),
  agentId: Type.Optional(Type.String({ minLength: 1 }))
}, { additionalProperties: true })

/** After resolution: the token is a plain string (or absent). */
export type TelegramConfig = Omit<Static<typeof TelegramAccountConfig>, 'botToken'> & { botToken?: string }
