// The built-in tools as a run sees them: `call` invokes one as the given agent
// (run `run-1` in its main session), and `assertToolError` checks a tool's error result.
import assert from 'node:assert/strict'
import type { GatewayConfig } from '../../schemas/config.js'
import { createToolRegistry, registerBuiltinTools, type ToolContext, type ToolResult } from '../../src/tools/index.js'

export type ToolCall = (name: string, args: unknown) => Promise<ToolResult>

export function builtinToolCaller (ctx: Pick<ToolContext, 'agentId' | 'workspace' | 'sessions' | 'now'>, config: GatewayConfig = {}): ToolCall {
  const registry = createToolRegistry()
  registerBuiltinTools(registry)
  const full: ToolContext = { ...ctx, sessionKey: `agent:${ctx.agentId}:main`, runId: 'run-1', signal: new AbortController().signal }
  return async (name, args) => await registry.invoke(name, args, full, config, ctx.agentId)
}

export function assertToolError (result: ToolResult, code: string, pattern?: RegExp): void {
  assert.equal(result.isError, true, `expected an error result, got: ${result.content}`)
  assert.equal((result.details as { code?: string }).code, code, result.content)
  if (pattern) assert.match(result.content, pattern)
}
