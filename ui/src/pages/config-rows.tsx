// Lists and maps in the config form: one row per item (a map row has its key),
// added and removed in place. Rows keep the text as typed, so a half-written
// entry survives in the draft; each row is checked against the item's schema
// before anything is saved.
import JSON5 from 'json5'
import { errorText } from '../state.js'

export interface Schema {
  type?: string
  title?: string
  description?: string
  properties?: Record<string, Schema>
  patternProperties?: Record<string, Schema>
  additionalProperties?: boolean | Schema
  items?: Schema
  required?: string[]
  anyOf?: Schema[]
  const?: unknown
  minimum?: number
  maximum?: number
  minLength?: number
}

export interface Row { key: string, text: string }

export interface RowsField {
  path: string
  kind: 'list' | 'map'
  label: string
  item: Schema
  /** A map's key pattern (the schema's patternProperties). */
  keyPattern?: string | undefined
}

/** Primitive items are typed in a text box; objects (and anything else) as JSON5. */
export function isPlainItem (item: Schema): boolean {
  return item.type === 'string' || item.type === 'number' || item.type === 'integer'
}

export function rowsOf (field: RowsField, value: unknown): Row[] {
  const text = (v: unknown) => (isPlainItem(field.item) && (typeof v === 'string' || typeof v === 'number') ? String(v) : JSON.stringify(v, null, 2))
  if (field.kind === 'list') return Array.isArray(value) ? value.map((v) => ({ key: '', text: text(v) })) : []
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).map(([key, v]) => ({ key, text: text(v) }))
}

export interface RowsResult { value: unknown, errors: Array<string | undefined> }

/** The rows as the config value, with one error (or undefined) per row. */
export function rowsValue (field: RowsField, rows: Row[]): RowsResult {
  const errors: Array<string | undefined> = []
  const values: unknown[] = []
  const seen = new Set<string>()
  for (const row of rows) {
    let error: string | undefined
    if (field.kind === 'map') {
      if (row.key.trim() === '') error = 'needs a name'
      else if (seen.has(row.key)) error = `"${row.key}" appears twice`
      else if (field.keyPattern !== undefined && !new RegExp(field.keyPattern).test(row.key)) error = `"${row.key}" is not a valid name here`
      seen.add(row.key)
    }
    const parsed = parseItem(field.item, row.text)
    error ??= parsed.error ?? checkValue(field.item, parsed.value, '')[0]
    errors.push(error)
    values.push(parsed.value)
  }
  const value = field.kind === 'list' ? values : Object.fromEntries(rows.map((r, i) => [r.key, values[i]]))
  return { value, errors }
}

function parseItem (item: Schema, text: string): { value?: unknown, error?: string } {
  if (item.type === 'string') return text === '' ? { error: 'is empty' } : { value: text }
  if (item.type === 'number' || item.type === 'integer') {
    const n = Number(text)
    if (text.trim() === '' || !Number.isFinite(n)) return { error: 'needs a number' }
    return { value: n }
  }
  try {
    return { value: JSON5.parse(text) }
  } catch (e) {
    return { error: `not valid JSON5: ${errorText(e).replace(/^JSON5: /, '')}` }
  }
}

/** The schema rules a form can check before saving: types, required and unknown keys, ranges, choices. */
export function checkValue (schema: Schema, value: unknown, at: string): string[] {
  const where = at === '' ? '' : `${at}: `
  if (schema.anyOf !== undefined) {
    if (schema.anyOf.some((s) => checkValue(s, value, at).length === 0)) return []
    const choices = schema.anyOf.filter((s) => s.const !== undefined).map((s) => JSON.stringify(s.const))
    return [`${where}${choices.length > 0 ? `must be one of ${choices.join(', ')}` : 'does not match any allowed form'}`]
  }
  if (schema.const !== undefined) return value === schema.const ? [] : [`${where}must be ${JSON.stringify(schema.const)}`]
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
  switch (schema.type) {
    case 'string': return type === 'string' ? [] : [`${where}must be text`]
    case 'boolean': return type === 'boolean' ? [] : [`${where}must be true or false`]
    case 'integer':
    case 'number': {
      if (type !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return [`${where}must be ${schema.type === 'integer' ? 'a whole number' : 'a number'}`]
      if (schema.minimum !== undefined && (value as number) < schema.minimum) return [`${where}must be at least ${schema.minimum}`]
      if (schema.maximum !== undefined && (value as number) > schema.maximum) return [`${where}must be at most ${schema.maximum}`]
      return []
    }
    case 'array':
      if (type !== 'array') return [`${where}must be a list`]
      return schema.items === undefined ? [] : (value as unknown[]).flatMap((v, i) => checkValue(schema.items!, v, `${at}[${i}]`))
    case 'object': return checkObject(schema, value, at, type)
    default: return []
  }
}

function checkObject (schema: Schema, value: unknown, at: string, type: string): string[] {
  const where = at === '' ? '' : `${at}: `
  if (type !== 'object') return [`${where}must be an object`]
  const obj = value as Record<string, unknown>
  const join = (k: string) => (at === '' ? k : `${at}.${k}`)
  const missing = (schema.required ?? []).filter((k) => !(k in obj)).map((k) => `${join(k)}: is required`)
  const out = [...missing]
  for (const [k, v] of Object.entries(obj)) {
    const known = schema.properties?.[k]
    if (known !== undefined) out.push(...checkValue(known, v, join(k)))
    else if (schema.additionalProperties === false && schema.patternProperties === undefined) out.push(`${join(k)}: is not a known setting`)
  }
  return out
}

/** A JSON merge patch turning `before` into `after` (removed keys become null); undefined when equal. */
export function diffPatch (before: unknown, after: unknown): unknown {
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObj(before) || !isObj(after)) return after
  const patch: Record<string, unknown> = {}
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null
  for (const [k, v] of Object.entries(after)) {
    const d = diffPatch(before[k], v)
    if (d !== undefined) patch[k] = d
  }
  return patch
}

interface InputProps { field: RowsField, rows: Row[], errors: Array<string | undefined>, changed: boolean, onChange: (rows: Row[]) => void, heading: preact.ComponentChildren }

export function RowsInput ({ field: f, rows, errors, onChange, heading }: InputProps) {
  const plain = isPlainItem(f.item)
  const noun = f.kind === 'map' ? 'entry' : 'item'
  const update = (i: number, patch: Partial<Row>) => { onChange(rows.map((r, n) => (n === i ? { ...r, ...patch } : r))) }
  return (
    <fieldset class='field rows' data-path={f.path}>
      <legend>{heading}</legend>
      {rows.length === 0 && <p class='muted small'>None yet.</p>}
      {rows.map((r, i) => {
        const name = f.kind === 'map' ? (r.key === '' ? `new ${noun}` : r.key) : `${noun} ${i + 1}`
        return (
          <div class='row' key={i}>
            {f.kind === 'map' && <input aria-label={`${f.label}: name of ${noun} ${i + 1}`} value={r.key} placeholder='name' onInput={(e) => { update(i, { key: e.currentTarget.value }) }} />}
            {plain
              ? <input aria-label={`${f.label}: ${name}`} value={r.text} onInput={(e) => { update(i, { text: e.currentTarget.value }) }} />
              : <textarea class='code' rows={Math.min(8, r.text.split('\n').length + 1)} spellcheck={false} aria-label={`${f.label}: ${name}`} value={r.text} onInput={(e) => { update(i, { text: e.currentTarget.value }) }} />}
            <button type='button' aria-label={`Remove ${f.label}: ${name}`} onClick={() => { onChange(rows.filter((_, n) => n !== i)) }}>Remove</button>
            {errors[i] !== undefined && <p class='error small' role='alert'>{name}: {errors[i]}</p>}
          </div>
        )
      })}
      <button type='button' onClick={() => { onChange([...rows, { key: '', text: plain ? '' : '{}' }]) }}>Add {noun} to {f.label}</button>
      <span class='muted small'><code>{f.path}</code></span>
    </fieldset>
  )
}
