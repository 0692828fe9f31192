import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

describe('test setup', () => {
  it.runIf(process.env.FC_SEED !== undefined && process.env.FC_SEED !== '')('pins the fast-check seed to FC_SEED', () => {
    expect(fc.readConfigureGlobal().seed).toBe(Number(process.env.FC_SEED))
  })
  it('leaves the seed free when FC_SEED is not set', () => {
    if (process.env.FC_SEED === undefined || process.env.FC_SEED === '') expect(fc.readConfigureGlobal().seed).toBeUndefined()
    else expect(typeof fc.readConfigureGlobal().seed).toBe('number')
  })
})
