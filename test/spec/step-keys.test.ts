import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { stepKeys } from '../../src/spec/program.js'
import { validate } from '../../src/spec/validate.js'

// validate asks for a list's keys twice and gets the first answer again: these pin that a list
// changed in between is not given stale keys, and what the keys are.
describe('stepKeys', () => {
  it('names a step by its name, or by its index when the name is unusable or repeated; holes stay holes', () => {
    // eslint-disable-next-line no-sparse-arrays
    const steps: unknown[] = [{ name: 'a' }, { name: 'a' }, { name: '7' }, { name: 'x.y' }, 'not a step', null, { name: 3 }, , { name: 'b' }]
    const keys = stepKeys(steps)
    expect(keys.length).toBe(steps.length)
    expect(7 in keys).toBe(false)
    expect([...keys.slice(0, 7), keys[8]]).toEqual(['a', '1', '2', '3', '4', '5', '6', 'b'])
  })

  it('asked again for the same list, gives the same keys; for a list changed in between, its new keys', () => {
    const steps: Array<{ name: string }> = [{ name: 'a' }, { name: 'b' }]
    expect(stepKeys(steps)).toEqual(['a', 'b'])
    expect(stepKeys(steps)).toEqual(['a', 'b'])
    steps[1]!.name = 'a'
    expect(stepKeys(steps)).toEqual(['a', '1'])
    steps[1] = { name: 'c' }
    expect(stepKeys(steps)).toEqual(['a', 'c'])
    steps.push({ name: 'd' })
    expect(stepKeys(steps)).toEqual(['a', 'c', 'd'])
    steps.length = 1
    expect(stepKeys(steps)).toEqual(['a'])
  })

  it("validate's paths follow a JSON program renamed between two validations", () => {
    const step = (name: string) => ({ _tag: 'Model', name, role: 'not a role arn', container: { image: 'img' } })
    const program = { version: '1', steps: [step('m1'), step('m2')] }
    const paths = () => {
      const r = validate(program)
      return E.isLeft(r) ? r.left.map((e) => e.path).filter((p) => p.startsWith('steps.')) : []
    }
    const first = paths()
    expect(first.some((p) => p.startsWith('steps.m2.'))).toBe(true)
    program.steps[1]!.name = 'm1'
    const second = paths()
    expect(second.some((p) => p.startsWith('steps.1.'))).toBe(true)
    expect(second.some((p) => p.startsWith('steps.m2.'))).toBe(false)
  })
})
