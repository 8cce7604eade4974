// First run: with no model configured, a form adds one provider (an
// OpenAI-compatible server such as Ollama, OpenAI, or Anthropic) and makes
// its model the default, in one config.patch.
import { useState } from 'preact/hooks'
import { errorText, useApp, useRpc } from '../state.js'

interface AgentsList { defaultId: string, agents: Array<{ id: string, model?: string | { primary?: string } }> }

export function useModelSetup (): { needed: boolean, model: string | undefined, reload: () => void } {
  const agents = useRpc<AgentsList>('agents.list')
  const def = agents.data?.agents.find((a) => a.id === agents.data?.defaultId) ?? agents.data?.agents[0]
  const model = typeof def?.model === 'string' ? def.model : def?.model?.primary
  return { needed: agents.data !== undefined && model === undefined, model, reload: agents.reload }
}

const KINDS = {
  'openai-compatible': { label: 'OpenAI-compatible server (Ollama, LM Studio, vLLM…)', api: 'openai-completions', name: 'local', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2', keyHint: 'Optional for local servers' },
  openai: { label: 'OpenAI', api: 'openai-responses', name: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', keyHint: 'sk-…' },
  anthropic: { label: 'Anthropic', api: 'anthropic-messages', name: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-sonnet-4-5', keyHint: 'sk-ant-…' }
} as const
type Kind = keyof typeof KINDS

export function FirstRun ({ onSaved }: { onSaved: () => void }) {
  const { client, navigate } = useApp()
  const [kind, setKind] = useState<Kind>('openai-compatible')
  const preset = KINDS[kind]
  const [name, setName] = useState<string>(preset.name)
  const [baseUrl, setBaseUrl] = useState<string>(preset.baseUrl)
  const [apiKey, setApiKey] = useState('')
  const [model, setModel] = useState<string>(preset.model)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [saved, setSaved] = useState(false)
  const canPatch = client.supports('config.patch')

  const choose = (k: Kind) => {
    setKind(k)
    setName(KINDS[k].name)
    setBaseUrl(KINDS[k].baseUrl)
    setModel(KINDS[k].model)
  }
  const patch = {
    models: { providers: { [name]: { baseUrl, api: preset.api, ...(apiKey !== '' ? { apiKey } : {}), models: [{ id: model }] } } },
    agents: { defaults: { model: { primary: `${name}/${model}` } } }
  }

  const save = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const current = await client.request<{ hash: string }>('config.get', {})
      await client.request('config.patch', { raw: JSON.stringify(patch, null, 2), baseHash: current.hash })
      setSaved(true)
      onSaved()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  if (saved) {
    return (
      <section class='card first-run' data-testid='first-run'>
        <h2>Model ready</h2>
        <p>The default model is now <code>{name}/{model}</code>.</p>
        <button type='button' class='primary' onClick={() => { navigate('chat') }}>Start chatting</button>
      </section>
    )
  }
  return (
    <section class='card first-run' data-testid='first-run'>
      <h2>No model is configured yet</h2>
      <p>Connect a model provider to start chatting. This adds it to the gateway's config and makes it the default.</p>
      <form class='form' onSubmit={(e) => { e.preventDefault(); void save() }}>
        <label for='fr-kind'>Provider</label>
        <select id='fr-kind' value={kind} onChange={(e) => { choose(e.currentTarget.value as Kind) }}>
          {Object.entries(KINDS).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
        </select>
        <label for='fr-name'>Provider name</label>
        <input id='fr-name' value={name} required pattern='[A-Za-z0-9_-]+' onInput={(e) => { setName(e.currentTarget.value) }} />
        <label for='fr-url'>Base URL</label>
        <input id='fr-url' type='url' value={baseUrl} required onInput={(e) => { setBaseUrl(e.currentTarget.value) }} />
        <label for='fr-key'>API key</label>
        <input id='fr-key' type='password' autoComplete='off' placeholder={preset.keyHint} value={apiKey} onInput={(e) => { setApiKey(e.currentTarget.value) }} />
        <label for='fr-model'>Default model</label>
        <input id='fr-model' value={model} required onInput={(e) => { setModel(e.currentTarget.value) }} />
        {error !== undefined && <p class='error' role='alert'>{error}</p>}
        {canPatch
          ? <button type='submit' class='primary' disabled={busy}>{busy ? 'Saving…' : 'Save provider'}</button>
          : (
            <div class='banner warn'>
              This gateway cannot edit its config over RPC. Add this to <code>openclaw.json</code>:
              <pre>{JSON.stringify({ ...patch, models: { providers: { [name]: { ...patch.models.providers[name], apiKey: apiKey === '' ? undefined : '…' } } } }, null, 2)}</pre>
            </div>
            )}
      </form>
    </section>
  )
}
