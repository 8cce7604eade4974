// Agent and session methods report engine and store errors as RPC errors named
// for the method (toRpcError); the name is written once, for the table and the errors.
import type { FastifyInstance } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { withRpcErrors } from '../../../src/agents/rpc-errors.js'
import type { MethodDefinition } from '../../../src/rpc/types.js'

export function registerAgentMethod<P extends TSchema> (app: FastifyInstance, name: string, def: MethodDefinition<P>): void {
  app.rpc.register(name, { ...def, handler: withRpcErrors(name, def.handler) })
}
