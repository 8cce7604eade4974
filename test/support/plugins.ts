// Where the plugin tests find the example plugin (compiled) and the fixtures (plain .mjs).
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))
export const HELLO = path.join(root, 'dist/examples/hello-plugin')
export const fixture = (name: string): string => path.join(root, 'test/fixtures/plugins', name)
