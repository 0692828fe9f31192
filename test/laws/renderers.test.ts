import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { validate } from '../../src/spec/validate.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { toText, writeText } from '../../src/interpret/dry-run/text.js'
import { toJsonPlan, writeJsonPlan } from '../../src/interpret/dry-run/json.js'
import { program } from '../../src/spec/index.js'
import { chain } from '../../bench/programs.js'
import { toDot, toMermaid } from '../../src/interpret/dry-run/graph.js'
import { arbitraryProgram } from '../support/programs.js'

const NUM_RUNS = 150

const planOf = (p: Parameters<typeof validate>[0]) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error('generated program is invalid')
  return toPlan(v.right)
}

describe('laws: renderers', () => {
  it('(h) text, JSON, Mermaid and DOT are total on generated programs and name every step', () => {
    fc.assert(
      fc.property(arbitraryProgram({ overrides: true, local: true, maxSteps: 8 }), (p) => {
        const plan = planOf(p)
        const text = toText(plan)
        expect(text.startsWith(`Plan: ${plan.steps.length} step`)).toBe(true)
        expect(text).not.toMatch(/\bundefined\b/)
        for (const s of plan.steps) expect(text).toContain(`. ${s.name} (${s.kind}) → `)

        const json = JSON.parse(toJsonPlan(plan)) as { steps: Array<{ name: string }> }
        expect(json.steps.map((s) => s.name)).toStrictEqual(plan.steps.map((s) => s.name))

        const edgeCount = plan.steps.reduce((n, s) => n + s.dependsOn.length, 0)
        const mermaid = toMermaid(plan)
        expect(mermaid.startsWith('flowchart TD\n')).toBe(true)
        expect(mermaid.split('\n').filter((l) => /^ {2}s\d+\[/.test(l))).toHaveLength(plan.steps.length)
        expect(mermaid.split('\n').filter((l) => / -(\.)?-+>/.test(l))).toHaveLength(edgeCount)

        const dot = toDot(plan)
        expect(dot.startsWith('digraph sagespec {\n') && dot.endsWith('}\n')).toBe(true)
        expect(dot.split('\n').filter((l) => / -> /.test(l))).toHaveLength(edgeCount)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('(h) the JSON plan written in pieces is the JSON plan, byte for byte', () => {
    const joined = (plan: ReturnType<typeof planOf>, options: Parameters<typeof writeJsonPlan>[1]) => {
      const pieces: string[] = []
      writeJsonPlan(plan, options, (c) => void pieces.push(c))
      return pieces
    }
    fc.assert(
      fc.property(arbitraryProgram({ overrides: true, local: true, maxSteps: 8 }), fc.boolean(), (p, sampled) => {
        const plan = planOf(p)
        const options = sampled ? { sample: { runId: 'r-1' } } : {}
        expect(joined(plan, options).join('')).toBe(toJsonPlan(plan, options))
      }),
      { numRuns: NUM_RUNS },
    )
    // Long enough for several batches of steps.
    const long = planOf(program(...chain(700)))
    const pieces = joined(long, {})
    expect(pieces.length).toBeGreaterThan(3)
    expect(pieces.join('')).toBe(toJsonPlan(long))
  })

  // (toText joins these pieces, and the goldens pin its bytes: here, that a piece is one step.)
  it('(h) the text plan is written a step at a time', () => {
    fc.assert(
      fc.property(arbitraryProgram({ overrides: true, local: true, maxSteps: 8 }), fc.boolean(), (p, sampled) => {
        const plan = planOf(p)
        const options = sampled ? { sample: { runId: 'r-1' }, bound: { epochs: 3 } } : {}
        const pieces: string[] = []
        writeText(plan, options, (c) => void pieces.push(c))
        expect(pieces.length).toBe(plan.steps.length + 2)
        plan.steps.forEach((s, i) => expect(pieces[i + 1]!.startsWith(`${i === 0 ? '' : '\n\n'}${i + 1}. ${s.name} (${s.kind}) → `)).toBe(true))
        expect(pieces.join('')).toBe(toText(plan, options))
      }),
      { numRuns: NUM_RUNS },
    )
  })
})
