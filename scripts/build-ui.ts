// `node dist/scripts/build-ui.js`: bundles the Control UI (ui/src, Preact) with
// esbuild into ui/dist: content-hashed JS and CSS under assets/ (served as
// immutable), index.html pointing at them, and ui/public copied as is.
// Prints the shipped size, gzipped, and fails the build above the budget.
import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../..', import.meta.url))
const ui = path.join(root, 'ui')
const out = path.join(ui, 'dist')
const BUDGET_GZIP_BYTES = 150 * 1024

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string }

await rm(out, { recursive: true, force: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'ui/src/main.tsx' },
  outdir: 'ui/dist/assets',
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: { __UI_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning'
})
await cp(path.join(ui, 'public'), out, { recursive: true })

const outputs = Object.entries(result.metafile.outputs)
const entry = outputs.find(([, o]) => o.entryPoint === 'ui/src/main.tsx')
if (entry === undefined) throw new Error('no entry output')
const url = (file: string) => `./${path.relative(out, path.join(root, file)).split(path.sep).join('/')}`
const css = entry[1].cssBundle
const template = await readFile(path.join(ui, 'index.html'), 'utf8')
// The chunks the entry imports are preloaded with it: no request waits for the entry to parse.
const preloads = entry[1].imports.filter((i) => i.kind === 'import-statement').map((i) => `<link rel="modulepreload" href="${url(i.path)}">`)
const html = template
  .replace(/<!--head:[^>]*-->/, [...(css !== undefined ? [`<link rel="stylesheet" href="${url(css)}">`] : []), `<script type="module" src="${url(entry[0])}"></script>`, ...preloads].join('\n'))
await writeFile(path.join(out, 'index.html'), html)

// What a first visit downloads: the entry, its CSS and the chunks it imports statically.
let total = 0
const lines: string[] = []
for (const [file, o] of outputs) {
  if (file.endsWith('.map')) continue
  const bytes = await readFile(path.join(root, file))
  const gzipped = gzipSync(bytes, { level: 9 })
  const gz = gzipped.length
  // Precompressed copies, served to browsers that accept them (plugins/control-ui.ts).
  await writeFile(path.join(root, `${file}.gz`), gzipped)
  await writeFile(path.join(root, `${file}.br`), brotliCompressSync(bytes))
  const lazy = file !== entry[0] && file !== css && !entry[1].imports.some((i) => i.path === file && i.kind === 'import-statement')
  if (!lazy) total += gz
  lines.push(`${path.relative(root, file).padEnd(44)} ${(o.bytes / 1024).toFixed(1).padStart(7)} kB  ${(gz / 1024).toFixed(1).padStart(6)} kB gz${lazy ? '  (lazy)' : ''}`)
}
process.stdout.write(`${lines.join('\n')}\nControl UI first load: ${(total / 1024).toFixed(1)} kB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} kB)\n`)
if (total > BUDGET_GZIP_BYTES) throw new Error(`Control UI bundle is ${total} bytes gzipped, over the ${BUDGET_GZIP_BYTES}-byte budget`)
