/** The built-in tools, registered in the order models see them. */
import type { ToolRegistry } from '../types.js'
import { editTool } from './edit.js'
import { createExecTool, type ExecToolOptions } from './exec.js'
import { lsTool } from './ls.js'
import { readTool } from './read.js'
import { sessionStatusTool } from './session-status.js'
import { sessionsListTool } from './sessions-list.js'
import { writeTool } from './write.js'

export interface BuiltinToolOptions {
  exec?: ExecToolOptions
}

export function registerBuiltinTools (registry: ToolRegistry, opts: BuiltinToolOptions = {}): void {
  registry.register(readTool)
  registry.register(writeTool)
  registry.register(editTool)
  registry.register(lsTool)
  registry.register(sessionsListTool)
  registry.register(sessionStatusTool)
  registry.register(createExecTool(opts.exec))
}
