// The shell: connection indicator, navigation, login form and the page for
// the current route (#/chat, #/sessions, …). Pages stay mounted through a
// reconnect, so what the operator typed is never lost.
import { Component, type ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { GatewayClient, type ConnectProblem, type ConnState, type HelloOk } from './gateway.js'
import { AppContext, useApp } from './state.js'
import { clearToken, currentPassword, currentToken, savePassword, saveToken } from './token.js'
import { Overview } from './pages/overview.js'
import { Chat } from './pages/chat.js'
import { Sessions } from './pages/sessions.js'
import { ConfigPage } from './pages/config.js'
import { Logs } from './pages/logs.js'
import { Channels } from './pages/channels.js'
import { Hooks } from './pages/hooks.js'
import { Plugins } from './pages/plugins.js'

declare const __UI_VERSION__: string

const ROUTES = [
  { path: 'overview', label: 'Overview' },
  { path: 'chat', label: 'Chat' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'config', label: 'Config' },
  { path: 'logs', label: 'Logs' },
  { path: 'channels', label: 'Channels' },
  { path: 'hooks', label: 'Hooks' },
  { path: 'plugins', label: 'Plugins' }
] as const

/** `#/chat`, else a deep link the server answered with the app (`<basePath>/chat`). */
function routeOf (hash: string): string {
  const base = document.documentElement.dataset.openclawControlUiBasePath ?? ''
  const path = hash.startsWith('#/')
    ? hash.slice(2).split('?')[0]!
    : location.pathname.slice(base.length).replace(/^\/+|\/+$/g, '').split('/')[0]!
  return ROUTES.some((r) => r.path === path) ? path : 'overview'
}

/** The page's own origin and base path, like OpenClaw's UI (the gateway upgrades there too). */
function wsUrl (): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const base = document.documentElement.dataset.openclawControlUiBasePath ?? ''
  return `${proto}//${location.host}${base}/`
}

export function App () {
  const client = useMemo(() => new GatewayClient({ url: wsUrl(), token: currentToken, password: currentPassword, version: __UI_VERSION__ }), [])
  const [state, setState] = useState<ConnState>(client.state)
  const [hello, setHello] = useState<HelloOk | undefined>(undefined)
  const [route, setRoute] = useState(() => routeOf(location.hash))

  useEffect(() => {
    const off = client.onState((s) => {
      setState(s)
      if (s.status === 'connected') {
        setHello(s.hello)
        if (performance.getEntriesByName('openclaw:connected').length === 0) performance.mark('openclaw:connected')
      }
    })
    client.start()
    const onHash = () => { setRoute(routeOf(location.hash)) }
    window.addEventListener('hashchange', onHash)
    return () => { off(); client.stop(); window.removeEventListener('hashchange', onHash) }
  }, [client])

  // At phone width the nav scrolls sideways: keep the current page's link in view.
  useEffect(() => {
    document.querySelector('nav[aria-label="Pages"] [aria-current="page"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
  }, [route])

  const navigate = (r: string) => { location.hash = `#/${r}` }
  const needsLogin = state.status === 'disconnected' && (state.problem.kind === 'auth' || state.problem.kind === 'rate-limited')

  return (
    <AppContext.Provider value={{ client, state, hello, navigate }}>
      <a class='skip' href='#main'>Skip to content</a>
      <header class='topbar'>
        <div class='brand'>OpenClaw <span class='muted'>Control</span></div>
        <nav aria-label='Pages'>
          {ROUTES.map((r) => (
            <a key={r.path} href={`#/${r.path}`} aria-current={route === r.path ? 'page' : undefined}>{r.label}</a>
          ))}
        </nav>
        <ConnectionIndicator state={state} hello={hello} />
      </header>
      <ConnectionBanner state={state} />
      <main id='main' tabIndex={-1}>
        {needsLogin
          ? <Login problem={state.problem} onSubmit={(secret) => { if (state.problem.credential === 'password') savePassword(secret); else saveToken(secret); client.start() }} />
          : hello === undefined
            ? <Connecting state={state} />
            : (
              <ErrorBoundary key={route}>
                {route === 'overview' && <Overview />}
                {route === 'chat' && <Chat />}
                {route === 'sessions' && <Sessions />}
                {route === 'config' && <ConfigPage />}
                {route === 'logs' && <Logs />}
                {route === 'channels' && <Channels />}
                {route === 'hooks' && <Hooks />}
                {route === 'plugins' && <Plugins />}
              </ErrorBoundary>
              )}
      </main>
    </AppContext.Provider>
  )
}

function ConnectionIndicator ({ state, hello }: { state: ConnState, hello: HelloOk | undefined }) {
  const { client } = useApp()
  const label = state.status === 'connected'
    ? 'Connected'
    : state.status === 'reconnecting' ? 'Reconnecting' : state.status === 'connecting' ? 'Connecting' : 'Disconnected'
  return (
    <div class='indicator' data-status={state.status}>
      <span class='dot' aria-hidden='true' />
      <span role='status' aria-live='polite' data-testid='connection-status'>{label}</span>
      {hello !== undefined && <span class='muted version' data-testid='gateway-version'>v{hello.server.version}</span>}
      {state.status === 'connected' && (currentToken() !== undefined || currentPassword() !== undefined) && (
        <button class='link' type='button' onClick={() => { clearToken(); client.stop(); location.reload() }}>Sign out</button>
      )}
    </div>
  )
}

function ConnectionBanner ({ state }: { state: ConnState }) {
  const { client } = useApp()
  if (state.status === 'connected' || state.status === 'idle') return null
  const problem = 'problem' in state ? state.problem : undefined
  if (problem === undefined || (state.status === 'disconnected' && (problem.kind === 'auth' || problem.kind === 'rate-limited'))) return null
  return (
    <div class={`banner ${state.status === 'disconnected' ? 'error' : 'warn'}`} role='alert' data-testid='connection-problem'>
      <span>{problem.message}</span>
      {problem.detail !== undefined && problem.detail !== problem.message && <span class='muted'> ({problem.detail})</span>}
      {state.status === 'disconnected' && <button type='button' onClick={() => { client.start() }}>Retry</button>}
    </div>
  )
}

function Connecting ({ state }: { state: ConnState }) {
  return (
    <section class='card center'>
      <h1>{state.status === 'disconnected' ? 'Not connected to the gateway' : 'Connecting to the gateway…'}</h1>
      {'attempt' in state && state.attempt > 1 && <p class='muted'>Attempt {state.attempt}</p>}
    </section>
  )
}

function Login ({ problem, onSubmit }: { problem: ConnectProblem, onSubmit: (secret: string) => void }) {
  const [token, setToken] = useState('')
  const password = problem.credential === 'password'
  return (
    <section class='card login'>
      <h1>Sign in to the gateway</h1>
      <p class='error' role='alert' data-testid='login-error'>{problem.message}</p>
      {problem.detail !== undefined && <p class='muted small'>{problem.detail}</p>}
      <form onSubmit={(e) => { e.preventDefault(); if (token.trim() !== '') onSubmit(token.trim()) }}>
        <label for='token'>{password ? 'Gateway password' : 'Gateway token'}</label>
        <input id='token' name={password ? 'password' : 'token'} type='password' autoComplete='current-password' value={token} onInput={(e) => { setToken(e.currentTarget.value) }} autoFocus />
        <button type='submit' class='primary'>Connect</button>
      </form>
      <p class='muted small'>
        {password
          ? 'The password is kept in this page only: a reload asks for it again.'
          : <>Run <code>openclaw dashboard</code> on the gateway host for a link that signs in directly. The token stays in this tab only.</>}
      </p>
    </section>
  )
}

export class ErrorBoundary extends Component<{ children: ComponentChildren }, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined }
  override componentDidCatch (error: Error): void {
    this.setState({ error })
  }

  override render () {
    if (this.state.error !== undefined) {
      return (
        <section class='card' role='alert'>
          <h1>Something went wrong on this page</h1>
          <pre class='error'>{this.state.error.message}</pre>
          <button type='button' onClick={() => { this.setState({ error: undefined }) }}>Try again</button>
        </section>
      )
    }
    return this.props.children
  }
}
