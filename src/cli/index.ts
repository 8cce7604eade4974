#!/usr/bin/env node
// The `openclaw` command. Each command lives in its own file; this one only
// assembles them. Unknown commands and flags print help and exit non-zero.
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { gatewayCommand } from './gateway.js'

await yargs(hideBin(process.argv))
  .scriptName('openclaw')
  .option('dev', { type: 'boolean', description: 'Use the dev profile (~/.openclaw-dev, port 19001)', global: true })
  .option('profile', { type: 'string', description: 'Use a named profile (~/.openclaw-<name>)', global: true })
  .command(gatewayCommand)
  .demandCommand(1, 'Name a command.')
  .strict()
  .recommendCommands()
  .help()
  .version(false)
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  .parseAsync()
