// safeEqualSecret and the failed-auth rate limiter, with an injected clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuthRateLimiter, type RateLimitSettings } from '../src/auth/rate-limiter.js'
import { safeEqualSecret } from '../src/auth/secret-equal.js'

test('safeEqualSecret: equal strings only', () => {
  assert.equal(safeEqualSecret('s3cret', 's3cret'), true)
  assert.equal(safeEqualSecret('s3cret', 's3creT'), false)
  assert.equal(safeEqualSecret('s3cret', 's3cre'), false, 'prefix')
  assert.equal(safeEqualSecret('s3cre', 's3cret'), false, 'longer expected')
  // Zero padding must not make a shorter secret match.
  assert.equal(safeEqualSecret('abc\u0000', 'abc'), false)
  assert.equal(safeEqualSecret('abc', 'abc\u0000'), false)
  assert.equal(safeEqualSecret('pässwörd', 'pässwörd'), true)
  assert.equal(safeEqualSecret('pässwörd', 'passwörd'), false)
  assert.equal(safeEqualSecret('', ''), true)
  assert.equal(safeEqualSecret('', 'x'), false)
})

test('safeEqualSecret: a missing side never matches', () => {
  assert.equal(safeEqualSecret(undefined, 'x'), false)
  assert.equal(safeEqualSecret('x', undefined), false)
  assert.equal(safeEqualSecret(undefined, undefined), false)
})

const settings: RateLimitSettings = { maxAttempts: 3, windowMs: 1_000, lockoutMs: 5_000, exemptLoopback: true }

function limiterAt (start = 10_000) {
  const clock = { t: start }
  return { clock, limiter: new AuthRateLimiter(settings, () => clock.t) }
}

test('rate limiter: maxAttempts failures inside the window lock the key for lockoutMs', () => {
  const { clock, limiter } = limiterAt()
  assert.deepEqual(limiter.check('k'), { limited: false, retryAfterMs: 0 })
  assert.deepEqual(limiter.fail('k'), { limited: false, retryAfterMs: 0 })
  clock.t += 100
  assert.deepEqual(limiter.fail('k'), { limited: false, retryAfterMs: 0 })
  clock.t += 100
  assert.deepEqual(limiter.fail('k'), { limited: true, retryAfterMs: 5_000 })
  assert.deepEqual(limiter.check('k'), { limited: true, retryAfterMs: 5_000 })
  clock.t += 4_999
  assert.deepEqual(limiter.check('k'), { limited: true, retryAfterMs: 1 })
  clock.t += 1
  assert.deepEqual(limiter.check('k'), { limited: false, retryAfterMs: 0 })
  // Other keys are untouched.
  assert.equal(limiter.check('other').limited, false)
})

test('rate limiter: failures spread beyond the window do not add up', () => {
  const { clock, limiter } = limiterAt()
  limiter.fail('k')
  limiter.fail('k')
  clock.t += 1_001
  assert.equal(limiter.fail('k').limited, false, 'a new window starts')
  assert.equal(limiter.fail('k').limited, false)
  assert.equal(limiter.fail('k').limited, true)
})

test('rate limiter: success forgets the key; sweep drops only expired buckets', () => {
  const { clock, limiter } = limiterAt()
  limiter.fail('a')
  limiter.fail('a')
  limiter.succeed('a')
  assert.equal(limiter.fail('a').limited, false)
  assert.equal(limiter.fail('a').limited, false)

  limiter.fail('b')
  for (let i = 0; i < 3; i++) limiter.fail('c')
  assert.equal(limiter.size, 3)
  clock.t += 1_001
  limiter.sweep()
  assert.equal(limiter.size, 1, 'a and b expired; c is still locked')
  assert.equal(limiter.check('c').limited, true)
  clock.t += 5_000
  limiter.sweep()
  assert.equal(limiter.size, 0)
})

test('rate limiter: loopback exemption follows the settings, and settings can be swapped', () => {
  const { limiter } = limiterAt()
  assert.equal(limiter.isExempt(true), true)
  assert.equal(limiter.isExempt(false), false)
  limiter.update({ ...settings, exemptLoopback: false, maxAttempts: 1 })
  assert.equal(limiter.isExempt(true), false)
  assert.equal(limiter.fail('k').limited, true)
})
