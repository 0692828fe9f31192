/**
 * The compiled checks run before the error-reporting decoder and stand in for it whenever they pass:
 * they must never pass what it refuses, and must record the same expression uses, in the same order.
 */
import { expect } from 'vitest'
import * as C from '../../src/spec/codec.js'
import { ProgramCodec } from '../../src/spec/program.js'

export const slow = (u: unknown) => C.collectingUses(() => ProgramCodec.decode(u))
export const fast = (u: unknown) => C.collectingUses(() => C.fastCheck(ProgramCodec)(u, []))
export const plainUses = (uses: ReadonlyArray<C.ExprUse>) => uses.map(({ path, segments, expr, kind }) => ({ path, segments, expr, kind }))

/** The fast path agrees with the decoder on `u`, and what goes through `decode` is exactly what the decoder says. */
export const agreesWithDecoder = (u: unknown): void => {
  const s = slow(u)
  const f = fast(u)
  if (f.result) {
    expect(s.result._tag).toBe('Right')
    expect(plainUses(f.uses)).toEqual(plainUses(s.uses))
  }
  const d = C.collectingUses(() => C.decode(ProgramCodec, u))
  expect(d.result).toEqual(s.result)
  expect(plainUses(d.uses)).toEqual(plainUses(s.uses))
}
