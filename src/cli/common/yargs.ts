// yargs helpers. Options are global by default in yargs, so a parent command's
// flags leak into its subcommands unless marked local.
import type { Argv, CommandModule } from 'yargs'

/** `y.global(keys, false)`: yargs supports it, @types/yargs only types the one-argument form. */
export function localOptions<T> (y: Argv<T>, keys: string[]): Argv<T> {
  return (y as unknown as { global: (keys: string[], global: boolean) => Argv<T> }).global(keys, false)
}

/** `--json`: a command that prints a report can print it as JSON instead. */
export interface JsonArgs {
  json?: boolean
}

/** A command that only groups subcommands: naming none is a usage error. */
export function commandGroup<U> (command: string, describe: string, subcommand: CommandModule<object, U>): CommandModule {
  return {
    command,
    describe,
    builder: (y: Argv) => y.command(subcommand).demandCommand(1, `Name a ${command} command.`),
    handler: () => {}
  }
}
