// Errors of the webhook ingress beyond the generic HTTP ones: a mapping that
// could not produce its action (500, contract 4) and a mapping over its run budget.
import createError from '@fastify/error'

export const ERR_HOOK_MAPPING_FAILED = createError('GW_ERR_HOOK_MAPPING_FAILED', 'hook mapping failed: %s', 500)
export const ERR_HOOK_RATE_LIMITED = createError('GW_ERR_HOOK_RATE_LIMITED', '%s', 429)
