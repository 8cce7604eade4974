/** Public surface of the agent tool registry. */
export { createToolRegistry, MAX_RESULT_BYTES, type ToolRegistryOptions } from './registry.js'
export { registerBuiltinTools, type BuiltinToolOptions } from './builtin/index.js'
export { type ExecToolOptions, execTimeoutSeconds } from './builtin/exec.js'
export { ToolError, isToolError, type ToolErrorCode } from '../errors/tools.js'
export { TOOL_GROUPS } from './policy.js'
export type * from './types.js'
