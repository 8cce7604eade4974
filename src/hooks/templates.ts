// `{{payload.field}}` templates of hook mappings. A field that is not there
// renders as "" and is reported, never thrown: a webhook sender changing its
// payload must not turn deliveries into errors.
const TOKEN = /\{\{\s*([A-Za-z0-9_.\-[\]]+)\s*\}\}/g

export interface TemplateContext { payload: unknown, path: string }

export interface Rendered { text: string, missing: string[] }

export function renderTemplate (template: string, ctx: TemplateContext): Rendered {
  const missing: string[] = []
  const text = template.replace(TOKEN, (_all, expr: string) => {
    const value = lookup(ctx, expr)
    if (value === undefined || value === null) {
      if (!missing.includes(expr)) missing.push(expr)
      return ''
    }
    return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  })
  return { text, missing }
}

/**
 * `payload.a.b`, `payload.items[0].id` or `path`; a bare `a.b` reads the payload
 * too (OpenClaw's mappings write `{{messages[0].id}}`). Only own properties (no `__proto__` walks).
 */
function lookup (ctx: TemplateContext, expr: string): unknown {
  const parts = expr.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '')
  if (parts[0] !== 'payload' && parts[0] !== 'path') parts.unshift('payload')
  let cur: unknown = { payload: ctx.payload, path: ctx.path }
  for (const part of parts) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}
