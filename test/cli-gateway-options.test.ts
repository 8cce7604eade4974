// src/cli/gateway-options.ts: the fast path of `openclaw gateway [run]` takes exactly the
// command lines it can read the way yargs does, and hands everything else to yargs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import yargs from 'yargs'
import { GLOBAL_FLAGS, RUN_FLAGS, parseGatewayRun, type RunArgs } from '../src/cli/gateway-options.js'

const ACCEPTED: Array<[string[], RunArgs]> = [
  [['gateway'], {}],
  [['gateway', 'run'], {}],
  [['gateway', '--port', '18789'], { port: 18789 }],
  [['gateway', '--port=19001', '--bind', 'lan', '--token', 's3cret'], { port: 19001, bind: 'lan', token: 's3cret' }],
  [['--dev', 'gateway', '--allow-unconfigured'], { dev: true, 'allow-unconfigured': true }],
  [['gateway', 'run', '--profile', 'work', '--force', '--verbose'], { profile: 'work', force: true, verbose: true }],
  [['gateway', '--auth', 'password', '--password', 'p w'], { auth: 'password', password: 'p w' }],
  [['gateway', '--token', ''], { token: '' }]
]

const DECLINED: string[][] = [
  [],
  ['status'],
  ['gateway', 'status'],
  ['gateway', 'run', 'extra'],
  ['gateway', '--help'],
  ['gateway', '-h'],
  ['gateway', '--bogus'],
  ['gateway', '--no-force'],
  ['gateway', '--allowUnconfigured'],
  ['gateway', '--force=false'],
  ['gateway', '--port'],
  ['gateway', '--port', 'abc'],
  ['gateway', '--port', '0x10'],
  ['gateway', '--port', '1', '--port', '2'],
  ['gateway', '--bind', 'moon'],
  ['gateway', '--token', '--force'],
  ['gateway', '--', '--port', '1']
]

/** What yargs, given the same flag tables, hands the `gateway` / `gateway run` handler. */
async function viaYargs (argv: string[]): Promise<RunArgs> {
  let got: Record<string, unknown> | undefined
  const handler = (args: Record<string, unknown>) => { got = args }
  await yargs(argv)
    .options(GLOBAL_FLAGS)
    .command({
      command: 'gateway',
      describe: 'gateway',
      builder: (y) => y.options(RUN_FLAGS).command({ command: 'run', describe: 'run', builder: (r) => r.options(RUN_FLAGS), handler }),
      handler
    })
    .strict()
    .fail((msg, err) => { throw err ?? new Error(msg) })
    .parseAsync()
  assert.ok(got !== undefined, `yargs ran no handler for ${argv.join(' ')}`)
  const keys = [...Object.keys(GLOBAL_FLAGS), ...Object.keys(RUN_FLAGS)]
  return Object.fromEntries(keys.filter((k) => got![k] !== undefined).map((k) => [k, got![k]])) as RunArgs
}

test('plain gateway command lines are parsed without yargs', () => {
  for (const [argv, expected] of ACCEPTED) assert.deepEqual(parseGatewayRun(argv), expected, argv.join(' '))
})

test('the fast path reads every command line it accepts exactly as yargs does', async () => {
  for (const [argv] of ACCEPTED) assert.deepEqual(parseGatewayRun(argv), await viaYargs(argv), argv.join(' '))
})

test('anything else is left to yargs (help, usage errors, other commands, unusual spellings)', () => {
  for (const argv of DECLINED) assert.equal(parseGatewayRun(argv), undefined, argv.join(' '))
})
