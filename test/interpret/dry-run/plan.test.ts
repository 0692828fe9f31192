import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/main.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { resolve } from '../../../src/interpret/plan/symbolic.js'
import { checkRequest, formatViolations, serviceModelOrSkip } from '../../support/service-model.js'
import { operations } from '../../support/laws.js'
import { sampleResolver } from '../../support/programs.js'
import { valid } from '../../support/fixtures.js'
import trainDeploy from '../../../examples/train-deploy.js'
import tuning from '../../../examples/tuning.js'
import batchTransform from '../../../examples/batch-transform.js'
import inferencePipeline from '../../../examples/inference-pipeline.js'
import pytorchScriptMode from '../../../examples/pytorch-script-mode.js'

const EXAMPLES = { 'train-deploy': trainDeploy, tuning, 'batch-transform': batchTransform, 'inference-pipeline': inferencePipeline, 'pytorch-script-mode': pytorchScriptMode } as const

/** `sagespec plan …` as the command prints it. */
const plan = async (...args: ReadonlyArray<string>): Promise<string> => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(['plan', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) })
  expect({ code, err }).toStrictEqual({ code: 0, err: [] })
  return out.join('\n')
}

describe('dry-run: sagespec plan on the examples', () => {
  it.each(Object.keys(EXAMPLES))('text output of %s matches its golden file', async (name) => {
    await expect(await plan(`examples/${name}.ts`)).toMatchFileSnapshot(`__golden__/${name}.txt`)
  })

  it('mermaid output of train-deploy matches its golden file', async () => {
    await expect(await plan('examples/train-deploy.ts', '--format', 'mermaid')).toMatchFileSnapshot('__golden__/train-deploy.mmd')
  })

  it('dot output of inference-pipeline matches its golden file', async () => {
    await expect(await plan('examples/inference-pipeline.ts', '--format', 'dot')).toMatchFileSnapshot('__golden__/inference-pipeline.dot')
  })
})

const sm = serviceModelOrSkip()

describe.skipIf(sm.skip !== undefined)(`dry-run: example requests against the service model${sm.skip !== undefined ? ` (skipped: ${sm.skip})` : ''}`, () => {
  it.each(Object.entries(EXAMPLES))('every request of %s, resolved with sample values, is valid', (_, program) => {
    const v = valid(program)
    const ops = operations(toPlan(v))
    expect(ops.length).toBeGreaterThan(0)
    const problems = ops.flatMap(({ step, operation, input }) => {
      const violations = checkRequest(sm.model!, operation, resolve(input as never, sampleResolver(v)))
      return violations.length === 0 ? [] : [`${step} ${operation}:\n${formatViolations(violations)}`]
    })
    expect(problems).toStrictEqual([])
  })
})
