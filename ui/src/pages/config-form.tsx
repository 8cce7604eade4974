// The config as a form, driven by config.schema: one field per plain setting
// (text, number, switch, choice) with the schema's label and help and a
// "restart" mark where a change needs one; lists and maps as rows
// (config-rows.tsx). Changed fields are saved as one config.patch with the base
// hash, and only once every row passes the schema checks.
import { useMemo, useState } from 'preact/hooks'
import { RpcError } from '../gateway.js'
import { errorText, useApp, useDraft, useRpc } from '../state.js'
import { diffPatch, RowsInput, rowsOf, rowsValue, type Row, type RowsField, type Schema } from './config-rows.js'

const REDACTED = '__OPENCLAW_REDACTED__'

interface Hint { label?: string, help?: string, sensitive?: boolean, restart?: boolean }
interface SchemaResult { schema: Schema, uiHints: Record<string, Hint> }
interface Field { path: string, kind: 'boolean' | 'string' | 'number' | 'integer' | 'enum' | 'list' | 'map', options?: string[], label: string, help?: string | undefined, restart: boolean, sensitive: boolean, item?: Schema, keyPattern?: string | undefined }
interface Section { key: string, label: string, fields: Field[] }

/** The settings under each top-level key: plain values, choices, lists and maps (other unions are left to JSON5). */
export function formSections (schema: Schema, hints: Record<string, Hint>): Section[] {
  const sections: Section[] = []
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    if (key.startsWith('$') || key === 'meta') continue
    const fields: Field[] = []
    walk(node, key, hints, fields, false)
    if (fields.length > 0) sections.push({ key, label: hints[key]?.label ?? node.title ?? key, fields })
  }
  return sections
}

function walk (node: Schema, path: string, hints: Record<string, Hint>, out: Field[], restartAbove: boolean): void {
  const hint = hints[path] ?? {}
  const restart = restartAbove || hint.restart === true
  if (node.properties !== undefined) {
    for (const [k, child] of Object.entries(node.properties)) walk(child, `${path}.${k}`, hints, out, restart)
    return
  }
  const base = { path, label: hint.label ?? node.title ?? path.split('.').pop()!, help: hint.help ?? node.description, restart, sensitive: hint.sensitive === true }
  const mapItem = node.patternProperties !== undefined ? Object.entries(node.patternProperties)[0] : undefined
  if (node.type === 'array' && node.items !== undefined) {
    out.push({ ...base, kind: 'list', item: node.items })
    return
  }
  if (node.type === 'object' && (mapItem !== undefined || typeof node.additionalProperties === 'object')) {
    out.push({ ...base, kind: 'map', item: mapItem?.[1] ?? (node.additionalProperties as Schema), keyPattern: mapItem?.[0] })
    return
  }
  if (node.anyOf !== undefined && node.anyOf.every((s) => typeof s.const === 'string')) {
    out.push({ ...base, kind: 'enum', options: node.anyOf.map((s) => s.const as string) })
  } else if (node.type === 'boolean' || node.type === 'string' || node.type === 'integer' || node.type === 'number') {
    out.push({ ...base, kind: node.type })
  } else if (hint.sensitive === true && node.anyOf !== undefined && node.anyOf.some((s) => s.type === 'string')) {
    // A secret that may also be a SecretRef: set as a plain string here, or as a ref in JSON5.
    out.push({ ...base, kind: 'string' })
  }
}

function valueAt (obj: unknown, path: string): unknown {
  let cur = obj
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[k]
  }
  return cur
}

/** A JSON merge patch setting each changed path (null deletes the key; undefined leaves it). */
export function mergePatch (changes: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.')
    let cur = patch
    if (value === undefined) continue
    for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>
    cur[keys[keys.length - 1]!] = value
  }
  return patch
}

interface Props { parsed: unknown, hash: string, onSaving: () => void, onSaved: (text: string, tone: 'ok' | 'warn') => void, describe: (r: any) => { text: string, tone: 'ok' | 'warn' } }

export function ConfigForm ({ parsed, hash, onSaving, onSaved, describe }: Props) {
  const { client } = useApp()
  const schema = useRpc<SchemaResult>('config.schema', {})
  const [draft, setDraft] = useDraft('config.form')
  const changes = useMemo(() => (draft === '' ? {} : JSON.parse(draft) as Record<string, unknown>), [draft])
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const sections = useMemo(() => (schema.data !== undefined ? formSections(schema.data.schema, schema.data.uiHints) : []), [schema.data])

  const fields = useMemo(() => new Map(sections.flatMap((s) => s.fields.map((f) => [f.path, f] as const))), [sections])
  // Rows (lists, maps) stay as typed in the draft; their values and per-row errors are derived.
  const rowResults = useMemo(() => {
    const out = new Map<string, ReturnType<typeof rowsValue>>()
    for (const [path, rows] of Object.entries(changes)) {
      const f = fields.get(path)
      if (f?.item !== undefined) out.set(path, rowsValue(f as RowsField, rows as Row[]))
    }
    return out
  }, [changes, fields])
  const problems = [...rowResults.values()].reduce((n, r) => n + r.errors.filter((e) => e !== undefined).length, 0)

  const set = (path: string, value: unknown) => {
    const next = { ...changes }
    const f = fields.get(path)
    const original = f?.item !== undefined ? rowsOf(f as RowsField, valueAt(parsed, path)) : valueAt(parsed, path) ?? null
    if (JSON.stringify(value) === JSON.stringify(original)) delete next[path]
    else next[path] = value
    setDraft(Object.keys(next).length === 0 ? '' : JSON.stringify(next))
  }
  const save = async () => {
    if (problems > 0) return
    setBusy(true)
    setError(undefined)
    // The last save's outcome is not this one's.
    onSaving()
    const values = Object.fromEntries(Object.entries(changes).map(([path, v]) => {
      const rows = rowResults.get(path)
      return [path, rows === undefined ? v : diffPatch(valueAt(parsed, path), rows.value)]
    }))
    try {
      const r = await client.request('config.patch', { raw: JSON.stringify(mergePatch(values), null, 2), baseHash: hash })
      setDraft('')
      const d = describe(r)
      onSaved(d.text, d.tone)
    } catch (e) {
      const issues = e instanceof RpcError && Array.isArray(e.details?.issues) ? (e.details.issues as Array<{ path: string, message: string }>).map((i) => `${i.path}: ${i.message}`).join('; ') : ''
      setError(`${errorText(e)}${issues !== '' && !errorText(e).includes(issues) ? ` (${issues})` : ''}`)
    } finally {
      setBusy(false)
    }
  }

  if (schema.error !== undefined) return <p class='error'>{schema.error}</p>
  if (schema.data === undefined) return <p class='muted'>Loading the config schema…</p>
  const pending = Object.keys(changes)
  const needsRestart = pending.some((p) => sections.some((s) => s.fields.some((f) => f.path === p && f.restart)))
  return (
    <form class='config-form' onSubmit={(e) => { e.preventDefault(); void save() }}>
      {sections.map((s) => (
        <details key={s.key} open={s.key === 'gateway' || s.fields.some((f) => f.path in changes)}>
          <summary>{s.label}</summary>
          <div class='fields'>
            {s.fields.map((f) => f.item !== undefined
              ? <RowsInput key={f.path} field={f as RowsField} rows={f.path in changes ? changes[f.path] as Row[] : rowsOf(f as RowsField, valueAt(parsed, f.path))} errors={rowResults.get(f.path)?.errors ?? []} changed={f.path in changes} heading={<FieldLabel field={f} changed={f.path in changes} />} onChange={(rows) => { set(f.path, rows) }} />
              : <FieldInput key={f.path} field={f} value={f.path in changes ? changes[f.path] : valueAt(parsed, f.path)} changed={f.path in changes} onChange={(v) => { set(f.path, v) }} />)}
          </div>
        </details>
      ))}
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
      {problems > 0 && <p class='error' role='alert' data-testid='config-form-problems'>Fix {problems} problem{problems === 1 ? '' : 's'} above before saving; your edit is kept meanwhile.</p>}
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy || pending.length === 0 || problems > 0}>{busy ? 'Saving…' : `Save ${pending.length} change${pending.length === 1 ? '' : 's'}`}</button>
        <button type='button' disabled={busy || pending.length === 0} onClick={() => { setDraft('') }}>Discard</button>
        {needsRestart && <span class='pill warn'>needs a restart</span>}
      </div>
    </form>
  )
}

function FieldLabel ({ field: f, changed }: { field: Field, changed: boolean }) {
  return <>{f.label}{f.restart && <span class='pill warn' title='A change here needs a gateway restart'>restart</span>}{changed && <span class='pill'>changed</span>}</>
}

function FieldInput ({ field: f, value, changed, onChange }: { field: Field, value: unknown, changed: boolean, onChange: (v: unknown) => void }) {
  const id = `cf-${f.path}`
  const label = <label for={id}><FieldLabel field={f} changed={changed} /></label>
  const help = f.help !== undefined ? <span class='muted small'>{f.help} <code>{f.path}</code></span> : <span class='muted small'><code>{f.path}</code></span>
  if (f.kind === 'boolean') {
    // Three states: an unset switch means the gateway's default, which may be on.
    return (
      <div class='field'>
        {label}
        <select id={id} value={value === true ? 'on' : value === false ? 'off' : ''} onChange={(e) => { const v = e.currentTarget.value; onChange(v === '' ? null : v === 'on') }}>
          <option value=''>(default)</option>
          <option value='on'>on</option>
          <option value='off'>off</option>
        </select>
        {help}
      </div>
    )
  }
  if (f.kind === 'enum') {
    return (
      <div class='field'>
        {label}
        <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => { onChange(e.currentTarget.value === '' ? null : e.currentTarget.value) }}>
          <option value=''>(default)</option>
          {f.options!.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        {help}
      </div>
    )
  }
  const numeric = f.kind === 'number' || f.kind === 'integer'
  const stored = f.sensitive && (value === REDACTED || (typeof value === 'object' && value !== null))
  return (
    <div class='field'>
      {label}
      <input
        id={id} type={(f.sensitive ? 'password' : numeric ? 'number' : 'text') as 'text'} autoComplete='off'
        step={f.kind === 'integer' ? 1 : undefined}
        placeholder={stored && !changed ? 'stored (unchanged)' : '(default)'}
        value={stored && !changed ? '' : value === undefined || value === null ? '' : String(value)}
        onInput={(e) => {
          const raw = e.currentTarget.value
          onChange(raw === '' ? (stored ? REDACTED : null) : numeric ? Number(raw) : raw)
        }}
      />
      {help}
    </div>
  )
}
