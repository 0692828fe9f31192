import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { topoOrder } from '../../../src/interpret/plan/plan.js'
import type { Step } from '../../../src/spec/step.js'

// The order as first written: a depth-first walk from each step in program order. `topoOrder` places a
// step whose dependencies are all placed without the walk; the orders must not differ.
const reference = (steps: ReadonlyArray<Step>, deps: ReadonlyMap<string, ReadonlyArray<string>>): string[] => {
  const known = new Set(steps.map((s) => s.name))
  const placed = new Set<string>()
  const out: string[] = []
  const visit = (name: string, onPath: Set<string>): void => {
    if (placed.has(name) || !known.has(name) || onPath.has(name)) return
    onPath.add(name)
    for (const d of deps.get(name) ?? []) visit(d, onPath)
    onPath.delete(name)
    if (!placed.has(name)) {
      placed.add(name)
      out.push(name)
    }
  }
  for (const s of steps) visit(s.name, new Set())
  return out
}

// Acyclic by construction (step i waits only for steps made before it, j < i), then shuffled into a
// program order that need not follow the dependencies; some dependencies name no step of the program.
const programs = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    deps: fc.tuple(...Array.from({ length: n }, (_, i) => fc.uniqueArray(i === 0 ? fc.constant(-1) : fc.oneof(fc.integer({ min: 0, max: i - 1 }), fc.constant(-1)), { maxLength: 3 }))),
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    inOrder: fc.boolean(),
  }),
)

describe('topoOrder', () => {
  it('is the depth-first order from each step in program order, whether or not the program is written in dependency order', () => {
    let written = 0
    fc.assert(
      fc.property(programs, ({ deps, order, inOrder }) => {
        const names = deps.map((_, i) => `s${i}`)
        const graph = new Map(deps.map((ds, i) => [names[i]!, ds.map((j) => (j < 0 ? 'elsewhere' : names[j]!))]))
        const steps = (inOrder ? names.map((_, i) => i) : order).map((i) => ({ name: names[i]! }) as unknown as Step)
        if (inOrder) written++
        const got = topoOrder(steps, graph).map((s) => s.name)
        expect(got).toEqual(reference(steps, graph))
        const at = new Map(got.map((n, i) => [n, i]))
        for (const [n, ds] of graph) for (const d of ds) if (at.has(d)) expect(at.get(d)!).toBeLessThan(at.get(n)!)
      }),
      { numRuns: 400 },
    )
    expect(written).toBeGreaterThan(50)
  })
})
