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
      'no-void': ['error', { allowAsStatement: true }],
      // One way to write members and lists: no delimiter at line ends, commas on one line, no trailing comma.
      '@stylistic/member-delimiter-style': ['error', { multiline: { delimiter: 'none', requireLast: false }, singleline: { delimiter: 'comma', requireLast: false } }],
      '@stylistic/comma-dangle': ['error', 'never']
    }
  },
  {
    files: ['test/**'],
    // Config tests write `${VAR}` on purpose: substitution is what they check.
    rules: { 'no-template-curly-in-string': 'off' }
  }
]
