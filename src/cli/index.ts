#!/usr/bin/env node
// The `openclaw` command. The plain `openclaw gateway [run] [flags]` that `npm start` and the
// service unit run starts the gateway straight away; every other command line (and help, and
// usage errors) goes to the full yargs CLI in ./program.ts, loaded only then.
import { parseGatewayRun } from './gateway-options.js'

const argv = process.argv.slice(2)
const run = parseGatewayRun(argv)
if (run !== undefined) {
  const { runForeground } = await import('./gateway-run.js')
  await runForeground(run)
} else {
  const { runCli } = await import('./program.js')
  await runCli(argv)
}
