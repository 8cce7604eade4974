/** Public surface of the session store. */
export { createFileSessionStore } from './file-store.js'
export { SessionError, isSessionError, type SessionErrorCode } from '../errors/sessions.js'
export { parseSessionKey, isSessionKey, MAX_KEY_LENGTH, type ParsedKey } from './keys.js'
export type * from './types.js'
