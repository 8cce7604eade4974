// yargs helpers. Options are global by default in yargs, so a parent command's
// flags leak into its subcommands unless marked local.
import type { Argv } from 'yargs'

/** `y.global(keys, false)`: yargs supports it, @types/yargs only types the one-argument form. */
export function localOptions<T> (y: Argv<T>, keys: string[]): Argv<T> {
  return (y as unknown as { global: (keys: string[], global: boolean) => Argv<T> }).global(keys, false)
}
