// Lint: neostandard (the style of Fastify's own code) with TypeScript support.
import neostandard from 'neostandard'

export default [
  { ignores: ['dist/**', 'node_modules/**', 'ui/dist/**', '.tmp/**'] },
  ...neostandard({ ts: true }),
  {
    rules: {
      // TypeBox idiom: `export const X = Type.Object(…)` and `export type X = Static<typeof X>` share a name.
      '@typescript-eslint/no-redeclare': 'off',
      // `void promise` marks a deliberately unawaited promise.
      'no-void': ['error', { allowAsStatement: true }]
    }
  },
  {
    files: ['test/**'],
    // Config tests write `${VAR}` on purpose: substitution is what they check.
    rules: { 'no-template-curly-in-string': 'off' }
  }
]
