#!/usr/bin/env node
// The `openclaw` command. Each command lives in its own file; this one only
// assembles them. Unknown commands and flags print help and exit non-zero.
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { channelsCommand } from './channels.js'
import { doctorCommand } from './doctor.js'
import { gatewayCommand } from './gateway.js'
import { healthCommand } from './health.js'
import { logsCommand } from './logs.js'
import { secretsCommand } from './secrets.js'
import { setupCommand } from './setup.js'
import { statusCommand } from './status.js'

await yargs(hideBin(process.argv))
  .scriptName('openclaw')
  .option('dev', { type: 'boolean', description: 'Use the dev profile (~/.openclaw-dev, port 19001)', global: true })
  .option('profile', { type: 'string', description: 'Use a named profile (~/.openclaw-<name>)', global: true })
  .command(gatewayCommand)
  .command(statusCommand)
  .command(healthCommand)
  .command(logsCommand)
  .command(doctorCommand)
  .command(secretsCommand)
  .command(channelsCommand)
  .command(setupCommand)
  .demandCommand(1, 'Name a command.')
  .strict()
  .help()
  .version(false)
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  .parseAsync()
