import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/main.js'
import { parsePrices } from '../../../src/interpret/dry-run/cost.js'
import { toDot, toMermaid } from '../../../src/interpret/dry-run/graph.js'
import { toText } from '../../../src/interpret/dry-run/text.js'
import { IMAGE, ROLE, planOf } from '../../support/fixtures.js'

const job = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge', instanceCount: 2 }, output: { s3OutputPath: 's3://bucket/out' } }
const train = (extra: Record<string, unknown> = {}) => ({ _tag: 'Training', name: 'train', ...job, ...extra })
const tune = (extra: Record<string, unknown> = {}) => ({
  _tag: 'Tuning',
  name: 'tune',
  training: { ...job, resources: { instanceType: 'ml.c5.xlarge' }, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }], stopping: { maxRuntimeInSeconds: 1800 } },
  objective: { metricName: 'auc', type: 'Maximize' },
  ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
  maxJobs: 10,
  ...extra,
})
const serve = {
  _tag: 'Endpoint',
  name: 'serve',
  variants: [
    { model: { _tag: 'Existing', name: 'm1' }, instanceType: 'ml.m5.large', initialInstanceCount: 3 },
    { model: { _tag: 'Existing', name: 'm2' }, name: 'shadow', instanceType: 'ml.g5.xlarge' },
  ],
}
const PRICES = { 'ml.m5.xlarge': 0.23, 'ml.c5.xlarge': 0.204, 'ml.m5.large': 0.115 }

/** The `worst case` key line of the (first) step of a kind in the text plan. */
const worstCase = (text: string, kind: string): string | undefined => {
  const start = text.indexOf(` (${kind}) → `)
  return start < 0 ? undefined : /\n {3}worst case +(.*)\n/.exec(text.slice(start))?.[1]
}

describe('plan: worst-case instance-hours', () => {
  it('a training job: instances × MaxRuntime; a spot job: × MaxWait', () => {
    expect(worstCase(toText(planOf({ steps: [train({ stopping: { maxRuntimeInSeconds: 3600 } })] } as never)), 'Training')).toBe(
      '2 × ml.m5.xlarge × 1 h (MaxRuntimeInSeconds) = 2 instance-hours',
    )
    expect(worstCase(toText(planOf({ steps: [train({ stopping: { maxRuntimeInSeconds: 3600 }, spot: { maxWaitTimeInSeconds: 7200 } })] } as never)), 'Training')).toBe(
      '2 × ml.m5.xlarge × 2 h (MaxWaitTimeInSeconds (spot)) = 4 instance-hours',
    )
  })

  it('a tuning job: × MaxNumberOfTrainingJobs, or every combination for Grid', () => {
    expect(worstCase(toText(planOf({ steps: [tune()] } as never)), 'Tuning')).toBe('1 × ml.c5.xlarge × 0.5 h (MaxRuntimeInSeconds) × 10 jobs = 5 instance-hours')
    const grid = tune({
      strategy: 'Grid',
      maxJobs: undefined,
      ranges: { a: { _tag: 'Categorical', values: ['1', '2', '3'] }, b: { _tag: 'Categorical', values: ['x', 'y'] } },
    })
    expect(worstCase(toText(planOf({ steps: [grid] } as never)), 'Tuning')).toBe('1 × ml.c5.xlarge × 0.5 h (MaxRuntimeInSeconds) × 6 jobs = 3 instance-hours')
  })

  it('an endpoint is a standing line per variant, and the totals come at the end, in money with prices', () => {
    const plan = planOf({ steps: [train({ stopping: { maxRuntimeInSeconds: 3600 } }), tune(), serve] } as never)
    const text = toText(plan, { prices: PRICES })
    expect(worstCase(text, 'Endpoint')).toBe('3 × ml.m5.large while the endpoint exists  ≈ $0.345/hour; 1 × ml.g5.xlarge while the endpoint exists  (no price)')
    expect(worstCase(text, 'Training')).toBe('2 × ml.m5.xlarge × 1 h (MaxRuntimeInSeconds) = 2 instance-hours  ≈ $0.46')
    expect(text.slice(text.indexOf('Worst case, every job'))).toBe(
      [
        'Worst case, every job running to its limit:',
        '   train  2 × ml.m5.xlarge  2 instance-hours  $0.46',
        '   tune   1 × ml.c5.xlarge  5 instance-hours  $1.02',
        '   total                    7 instance-hours  $1.48',
        '',
        'Billed by the hour with no limit, while each exists or runs:',
        '   serve  3 × ml.m5.large   while the endpoint exists  $0.345/hour',
        '   serve  1 × ml.g5.xlarge  while the endpoint exists  no price',
        '',
      ].join('\n'),
    )
  })

  it('a count known only at run time leaves the hours unknown rather than guessed', () => {
    const plan = planOf({
      params: [{ name: 'n', type: 'Integer' }],
      steps: [train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: { _tag: 'Param', name: 'n' } } })],
    } as never)
    const text = toText(plan)
    expect(worstCase(text, 'Training')).toBe('<param:n> × ml.m5.xlarge × 24 h (MaxRuntimeInSeconds) = ? instance-hours')
    expect(text).toContain('(? = depends on a value known only at run time)')
  })
})

describe('plan: price files', () => {
  it('takes an object of instance type → non-negative hourly USD, and says what is wrong otherwise', () => {
    expect(parsePrices('{"ml.m5.xlarge": 0.23}')).toStrictEqual(E.right({ 'ml.m5.xlarge': 0.23 }))
    expect(parsePrices('[1]')).toStrictEqual(E.left('expected an object of instance type → hourly price in USD, e.g. {"ml.m5.xlarge": 0.23}'))
    expect(parsePrices('{"ml.m5.xlarge": "0.23"}')).toStrictEqual(E.left('the price of "ml.m5.xlarge" is "0.23"; expected a non-negative number (hourly USD)'))
    expect(parsePrices('{"ml.m5.xlarge": -1}')).toStrictEqual(E.left('the price of "ml.m5.xlarge" is -1; expected a non-negative number (hourly USD)'))
    expect(E.isLeft(parsePrices('{'))).toBe(true)
  })
})

describe('plan: what else a person reads', () => {
  it('shows a transform\'s filters and join', () => {
    const plan = planOf({
      steps: [
        {
          _tag: 'Transform',
          name: 'score',
          model: { _tag: 'Existing', name: 'm1' },
          resources: { instanceType: 'ml.m5.xlarge' },
          input: { uri: 's3://bucket/in/' },
          output: { s3OutputPath: 's3://bucket/out/' },
          dataProcessing: { inputFilter: '$[1:]', joinSource: 'Input' },
        },
      ],
    } as never)
    expect(toText(plan)).toContain('\n   data processing  input filter $[1:], join with the input, output filter $\n')
  })

  it('shows the region the program names, and none when it names none', () => {
    expect(toText(planOf({ steps: [train()] } as never))).toContain('\nRegion: us-west-2 (named by the program\'s image URIs and presets)\n')
    expect(toText(planOf({ steps: [train({ image: 'my-registry.example.com/img:1' })] } as never))).not.toContain('Region:')
  })

  it('the pictures show each step\'s instances and edge labels in words', () => {
    const plan = planOf({
      steps: [
        train(),
        { _tag: 'Model', name: 'm1', container: { image: IMAGE, modelDataUrl: { _tag: 'Ref', step: 'train', path: ['ModelArtifacts', 'S3ModelArtifacts'] } }, role: ROLE },
        { ...serve, variants: [{ model: { _tag: 'Ref', step: 'm1', path: ['ModelName'] }, instanceType: 'ml.m5.large', initialInstanceCount: 3 }] },
      ],
    } as never)
    const dot = toDot(plan)
    expect(dot).toContain('"train" [label="train\\nTraining\\n2 × ml.m5.xlarge"];')
    expect(dot).toContain('"serve" [label="serve\\nEndpoint\\n3 × ml.m5.large"];')
    expect(dot).toContain('"train" -> "m1" [label="model artifacts"];')
    expect(toMermaid(plan)).toContain('s1 -->|"model name"| s2')
  })
})

const dir = mkdtempSync(join(tmpdir(), 'sagespec-plan-cost-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(['plan', ...argv], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

describe('sagespec plan --prices, --param, -o', () => {
  it('--prices turns the worst cases into money, and bound params are shown with their values', async () => {
    const prices = join(dir, 'prices.json')
    writeFileSync(prices, JSON.stringify({ 'ml.m5.xlarge': 0.23, 'ml.m5.large': 0.115 }))
    const r = await cli('examples/train-deploy.ts', '--prices', prices, '--param', 'instanceType=ml.m5.xlarge', '--param', 'epochs=30')
    expect(r.status).toBe(0)
    expect(r.out).toContain('Parameters:\n   instanceType  bound  "ml.m5.xlarge" (from --param)\n   epochs        bound  30 (from --param)\n')
    expect(r.out).toContain('   worst case       1 × ml.m5.xlarge × 1 h (MaxRuntimeInSeconds) = 1 instance-hour  ≈ $0.23\n')
    expect(r.out).toContain('   churn-endpoint  1 × ml.m5.large  while the endpoint exists  $0.115/hour')
  })

  it('a bad or missing price file is a usage error naming the file', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"ml.m5.xlarge": "cheap"}')
    expect(await cli('examples/train-deploy.ts', '--prices', bad)).toStrictEqual({
      status: 2,
      out: '',
      err: `--prices ${bad}: the price of "ml.m5.xlarge" is "cheap"; expected a non-negative number (hourly USD)`,
    })
    const r = await cli('examples/train-deploy.ts', '--prices', join(dir, 'absent.json'))
    expect(r.status).toBe(2)
    expect(r.err).toMatch(/^--prices .*absent\.json: cannot read it/)
  })

  it('-o writes the same plan to a file, replacing what was there, and leaves no temporary file', async () => {
    const target = join(dir, 'out', 'plan.txt')
    const sub = join(dir, 'out')
    rmSync(sub, { recursive: true, force: true })
    ;(await import('node:fs')).mkdirSync(sub)
    writeFileSync(target, 'an older plan that is much longer than anything the new plan could leave behind\n'.repeat(1000))
    const printed = await cli('examples/tuning.ts', '-f', 'dot')
    const written = await cli('examples/tuning.ts', '-f', 'dot', '-o', target)
    expect(written).toStrictEqual({ status: 0, out: '', err: `wrote ${target}: plan of 3 steps (dot)` })
    expect(readFileSync(target, 'utf8')).toBe(printed.out)
    expect(readdirSync(sub)).toStrictEqual(['plan.txt'])
  })

  it('-o into a directory that does not exist fails with the reason and writes nothing', async () => {
    const target = join(dir, 'missing', 'plan.txt')
    const r = await cli('examples/tuning.ts', '-o', target)
    expect(r.status).toBe(1)
    expect(r.err).toMatch(/cannot write the plan/)
    expect(existsSync(target)).toBe(false)
  })
})
