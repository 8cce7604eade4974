// POST /tools/invoke and its WS twin `tools.invoke` (contract 3.7). OpenClaw's
// own protocol, so the body is closed: an unknown key is a 400 naming it.
import { Type, type Static } from '@sinclair/typebox'
import { Closed } from './common.js'

export const ToolsInvokeBody = Closed({
  tool: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Tool name (`name` wins when both are given).' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.String({ description: 'Passed as `args.action` to tools that take one.' })),
  args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  sessionKey: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Omitted or `main`: the agent\'s main session.' })),
  agentId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' })),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  dryRun: Type.Optional(Type.Boolean({ description: 'Accepted and ignored (as OpenClaw does).' }))
}, { title: 'ToolsInvokeBody' })
export type ToolsInvokeBody = Static<typeof ToolsInvokeBody>

export const ToolResult = Type.Object({
  content: Type.String(),
  isError: Type.Optional(Type.Boolean()),
  details: Type.Optional(Type.Unknown())
})

export const ToolsInvokeOk = Type.Object({
  ok: Type.Literal(true),
  result: ToolResult
}, { title: 'ToolsInvokeOk' })
export type ToolsInvokeOk = Static<typeof ToolsInvokeOk>

/** `{ok:false, error:{type, message}}` (contract 3.7), carrying the OpenAI envelope's param and code too. */
export const ToolsInvokeError = Type.Object({
  ok: Type.Literal(false),
  error: Type.Object({
    type: Type.String(),
    message: Type.String(),
    param: Type.Union([Type.String(), Type.Null()]),
    code: Type.Union([Type.String(), Type.Null()])
  })
}, { title: 'ToolsInvokeError' })
export type ToolsInvokeError = Static<typeof ToolsInvokeError>
