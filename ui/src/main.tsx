// Entry: adopt a `#token=` handoff, then render the app inside an error
// boundary, so a failure shows its message instead of a blank page.
import { render } from 'preact'
import { App, ErrorBoundary } from './app.js'
import { adoptFragmentToken } from './token.js'
import './styles.css'

adoptFragmentToken()
const root = document.getElementById('app')!
root.textContent = ''
render(<ErrorBoundary><App /></ErrorBoundary>, root)
// User Timing marks for bench/ui-first-paint (and any operator's devtools): the shell is in the DOM.
performance.mark('openclaw:shell')
