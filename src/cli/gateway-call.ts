// `openclaw gateway call <method> [--params json] [--expect-final]`: one raw
// RPC. The result is printed as JSON; an RPC error goes to stderr (or as
// {ok:false,error} with --json) and exits 1.
import JSON5 from 'json5'
import type { Argv, CommandModule } from 'yargs'
import { GatewayClientError } from '../errors/client.js'
import { connectionOptions, runOnGateway, type ConnectionArgs } from './common/connection.js'
import type { GlobalArgs } from './common/context.js'
import { CliError, EXIT_FAIL, EXIT_OK, err, out, printJson, runCommand } from './common/output.js'

interface CallArgs extends GlobalArgs, ConnectionArgs {
  method: string
  params?: string
  'expect-final'?: boolean
  json?: boolean
}

async function gatewayCall (args: CallArgs): Promise<number> {
  const params = parseParams(args.params)
  return await runOnGateway(args, async ({ client }) => {
    try {
      const payload = await client.request(args.method, params, { expectFinal: args['expect-final'] === true })
      if (args.json !== true && typeof payload === 'string') out(payload)
      else printJson(payload ?? null)
      return EXIT_OK
    } catch (e) {
      if (!(e instanceof GatewayClientError) || e.rpc === undefined) throw e
      if (args.json === true) printJson({ ok: false, error: e.rpc })
      else {
        err(`${args.method} failed: ${e.rpc.code}: ${e.rpc.message}`)
        if (e.rpc.details !== undefined) err(`details: ${JSON.stringify(e.rpc.details)}`)
      }
      return EXIT_FAIL
    }
  })
}

function parseParams (raw: string | undefined): unknown {
  if (raw === undefined) return undefined
  let value: unknown
  try { value = JSON5.parse(raw) } catch (e) { throw new CliError(`--params is not valid JSON: ${(e as Error).message.replace(/^JSON5: /, '')}`) }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--params must be a JSON object')
  return value
}

export const gatewayCallCommand: CommandModule<object, CallArgs> = {
  command: 'call <method>',
  describe: 'Call a gateway RPC method and print the result',
  builder: (y: Argv) => connectionOptions(y)
    .positional('method', { type: 'string', demandOption: true, description: 'RPC method, e.g. health' })
    .option('params', { type: 'string', description: 'Params as a JSON object' })
    .option('expect-final', { type: 'boolean', description: 'Wait for the final response of a two-stage call (agent runs)' })
    .option('json', { type: 'boolean', description: 'Print errors as JSON too' }) as unknown as Argv<CallArgs>,
  handler: runCommand(gatewayCall)
}
