// Plugins: what the plugin host found, whether each is active, why not, and
// what it adds (`plugins.list`); an admin can reload them (`plugins.reload`).
import { useState } from 'preact/hooks'
import { errorText, useApp, useRpc } from '../state.js'
import { NotOffered } from './not-offered.js'

interface PluginInfo { id: string, origin: string, enabled: boolean, activated: boolean, error?: string, methods: string[], tools: string[], routes: string[], channels: string[], hookMappings: number }

function contributions (p: PluginInfo): string {
  const parts = [['method', p.methods.length], ['tool', p.tools.length], ['route', p.routes.length], ['channel', p.channels.length], ['hook mapping', p.hookMappings]] as const
  const named = parts.filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}${n === 1 ? '' : 's'}`)
  return named.length === 0 ? 'nothing yet' : named.join(', ')
}

export function Plugins () {
  const { client, hello } = useApp()
  const supported = client.supports('plugins.list')
  const list = useRpc<{ plugins: PluginInfo[] }>(supported ? 'plugins.list' : undefined, {})
  const [reloaded, setReloaded] = useState<{ plugins: PluginInfo[] } | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  if (!supported) return <NotOffered title='Plugins' method='plugins.list' what='plugins' />
  const canReload = client.supports('plugins.reload') && (hello?.auth.scopes.includes('operator.admin') ?? false)
  const reload = async () => {
    setBusy(true)
    setError(undefined)
    try { setReloaded(await client.request('plugins.reload', {})) } catch (e) { setError(errorText(e)) } finally { setBusy(false) }
  }
  const plugins = (reloaded ?? list.data)?.plugins
  return (
    <div class='stack'>
      <h1>Plugins</h1>
      {canReload && <div class='actions'><button type='button' disabled={busy} onClick={() => { void reload() }}>{busy ? 'Reloading…' : 'Reload plugins'}</button></div>}
      {(error ?? list.error) !== undefined && <p class='error' role='alert'>{error ?? list.error}</p>}
      {plugins === undefined && list.error === undefined && <p class='muted'>Loading…</p>}
      {plugins?.length === 0 && (
        <section class='card' data-testid='plugins-empty'>
          <h2>No plugins</h2>
          <p class='muted'>Plugins are listed under <code>plugins.load.paths</code> or <code>plugins.entries</code> in the config.</p>
        </section>
      )}
      {plugins !== undefined && plugins.length > 0 && (
        <div class='table-wrap card'>
          <table data-testid='plugins'>
            <thead><tr><th>Plugin</th><th>State</th><th>Adds</th><th>From</th></tr></thead>
            <tbody>
              {plugins.map((p) => (
                <tr key={p.id}>
                  <td><strong>{p.id}</strong></td>
                  <td>
                    <span class={`state ${p.error !== undefined ? 'error' : p.activated ? 'ok' : 'muted'}`}>{p.error !== undefined ? 'Failed' : p.activated ? 'Active' : p.enabled ? 'Inactive' : 'Disabled'}</span>
                    {p.error !== undefined && <div class='error small'>{p.error}</div>}
                  </td>
                  <td>{contributions(p)}</td>
                  <td class='muted small'><code>{p.origin}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
