// `hooks.presets`: named mappings appended after `hooks.mappings` (contract 4:
// only "gmail"). The gmail preset fans out over the pushed `messages` batch,
// one isolated run per message, each rendered as if it were the only one.
import type { HookMapping } from './mappings.js'

const PRESETS: Readonly<Record<string, readonly HookMapping[]>> = {
  gmail: [{
    id: 'gmail',
    match: { path: 'gmail' },
    action: 'agent',
    wakeMode: 'now',
    name: 'Gmail',
    forEach: 'messages',
    sessionKey: 'hook:gmail:{{payload.messages[0].id}}',
    messageTemplate: 'New email from {{payload.messages[0].from}}\nSubject: {{payload.messages[0].subject}}\n{{payload.messages[0].snippet}}\n{{payload.messages[0].body}}'
  }]
}

export const KNOWN_PRESETS: readonly string[] = Object.keys(PRESETS)

export function presetMappings (presets: readonly string[] | undefined): HookMapping[] {
  return (presets ?? []).flatMap((p) => PRESETS[p] ?? [])
}
