import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { codePoints } from '../../src/spec/code-points.js'

describe('codePoints', () => {
  it('counts as [...s].length does: a surrogate pair once, a lone surrogate once', () => {
    expect(codePoints('a\u{1F600}b')).toBe(3)
    expect(codePoints('\ud800x\udc00')).toBe(3)
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(codePoints(s)).toBe([...s].length)
    }), { numRuns: 500 })
  })
})
