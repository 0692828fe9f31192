import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { fileURLToPath } from 'node:url'
import { isCode, isRepack, type Code } from '../../src/spec/val.js'
import { packCode } from '../../src/interpret/code/pack.js'
import example from '../../examples/pytorch-script-mode.js'
import { expectServiceValid, planOf, serviceSkip } from './presets-support.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('examples/pytorch-script-mode.ts', () => {
  const plan = planOf(...example.steps)

  it('plans train → model → endpoint', () => {
    expect(plan.steps.map((s) => [s.name, s.kind, s.dependsOn])).toEqual([
      ['digits', 'Training', []],
      ['digits-model', 'Model', ['digits']],
      ['digits-endpoint', 'Endpoint', ['digits-model']],
    ])
  })

  it('trains and serves from the files of examples/pytorch: the serving code is repacked into the model archive', () => {
    const [train, model] = example.steps
    const trainingCode = (train as { hyperParameters: Record<string, unknown> }).hyperParameters.sagemaker_submit_directory as Code
    const modelData = (model as { container: { modelDataUrl: unknown } }).container.modelDataUrl
    expect(isRepack(modelData)).toBe(true)
    const servingCode = (modelData as { code: Code }).code
    expect(isCode(trainingCode) && isCode(servingCode)).toBe(true)
    const layout = packCode(servingCode, { cwd: root, layout: 'model-code' })
    if (E.isLeft(layout)) throw new Error('the example code does not pack')
    expect(layout.right.entries.map((e) => e.path)).toEqual(['code', 'code/inference.py', 'code/train.py'])
    const a = packCode(trainingCode, { cwd: root })
    const b = packCode(servingCode, { cwd: root })
    if (E.isLeft(a) || E.isLeft(b)) throw new Error('the example code does not pack')
    expect(a.right.sha256).toBe(b.right.sha256)
    expect(a.right.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['train.py', 'inference.py']))
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    expect(expectServiceValid(plan)).toBe(5)
  })
})
