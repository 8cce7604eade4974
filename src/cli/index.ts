#!/usr/bin/env node
// The `openclaw` command. The plain `openclaw gateway [run] [flags]` that `npm start` and the
// service unit run starts the gateway straight away; every other command line (and help, and
// usage errors) goes to the full yargs CLI in ./program.ts, loaded only then.
import { parseGatewayRun } from './gateway-options.js'

// `openclaw status | head` closes our stdout early: that ends the command, it is not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

const argv = process.argv.slice(2)
const run = parseGatewayRun(argv)
if (run !== undefined) {
  const { runForeground } = await import('./gateway-run.js')
  await runForeground(run)
} else {
  const { runCli } = await import('./program.js')
  await runCli(argv)
}
