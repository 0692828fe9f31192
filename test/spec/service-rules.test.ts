import { readFileSync } from 'node:fs'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { renderServiceRules } from '../../scripts/service-rules.js'
import * as C from '../../src/spec/codec.js'
import { message } from '../../src/spec/errors.js'
import * as P from '../../src/spec/primitives.js'
import { BOTOCORE, ENUMS, STRINGS } from '../../src/spec/service-rules.generated.js'
import { Step } from '../../src/spec/step.js'
import { compileJavaPattern } from '../../src/spec/java-regex.js'
import { IMAGE, ROLE, invalid, valid } from '../support/fixtures.js'
import { locateServiceModel } from '../support/service-model.js'

const committed = readFileSync(new URL('../../src/spec/service-rules.generated.ts', import.meta.url), 'utf8')
const modelFile = locateServiceModel('sagemaker')
const ci = ['true', '1'].includes((process.env['CI'] ?? '').trim().toLowerCase())

describe('service-rules.generated.ts', () => {
  it.skipIf(modelFile === undefined && !ci)(
    `equals what scripts/service-rules.ts renders from the machine's botocore (npx tsx scripts/service-rules.ts regenerates it)${modelFile === undefined ? ' (skipped: no botocore sagemaker service model on this machine)' : ''}`,
    () => {
      if (modelFile === undefined) throw new Error('CI: no botocore sagemaker service model found; the generated rules must be checked in CI')
      expect(renderServiceRules(modelFile)).toBe(committed)
    },
  )

  it('says where it came from', () => {
    expect(BOTOCORE.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(committed).toContain(`botocore\n * ${BOTOCORE.version}, ${BOTOCORE.file}`)
  })

  it('holds each pattern as the one translation renders it', () => {
    for (const [name, rule] of Object.entries(STRINGS) as Array<[string, { java?: string; source?: string }]>) {
      if (rule.java === undefined) continue
      const compiled = compileJavaPattern(rule.java)
      expect(compiled.ok && compiled.compiled.regex.source, name).toBe(rule.source)
    }
  })

  // validate checks a field's enum with the service model's own list (in its order), so the two cannot
  // drift; only values sagespec cannot plan for are left out, each listed here.
  it("every enum validate checks is the service model's, less the values sagespec leaves out", () => {
    const LEFT_OUT: Readonly<Record<string, ReadonlyArray<string>>> = { S3DataType: ['Converse'] }
    const SHAPE_OF: Readonly<Record<string, keyof typeof ENUMS>> = {
      S3DataType: 'S3DataType',
      S3DataDistributionType: 'S3DataDistribution',
      CompressionType: 'CompressionType',
      RecordWrapperType: 'RecordWrapper',
      TrainingInputMode: 'TrainingInputMode',
      SplitType: 'SplitType',
      AssemblyType: 'AssemblyType',
      JoinSource: 'JoinSource',
      BatchStrategy: 'BatchStrategy',
      ScalingType: 'HyperParameterScalingType',
      ObjectiveType: 'HyperParameterTuningJobObjectiveType',
      WarmStartType: 'HyperParameterTuningJobWarmStartType',
      Strategy: 'HyperParameterTuningJobStrategyType',
      TrainingJobEarlyStoppingType: 'TrainingJobEarlyStoppingType',
      AcceleratorType: 'ProductionVariantAcceleratorType',
      ContainerMode: 'ContainerMode',
    }
    // sagespec's own choices, not request fields.
    const OWN = new Set(['HyperParameterEncoding', '"Training"', '"Tuning"', '"Model"', '"Endpoint"', '"Transform"', '"ModelPackage"', '"Continuous"', '"Integer"', '"Categorical"'])
    const found = new Map<string, ReadonlyArray<string>>()
    const seen = new Set<t.Type<any, any, unknown>>()
    const walk = (codec: t.Type<any, any, unknown>): void => {
      if (seen.has(codec)) return
      seen.add(codec)
      const m = C.metaOf(codec)
      switch (m.kind) {
        case 'oneOf':
          found.set(codec.name, m.values)
          return
        case 'val':
          return walk(m.codec)
        case 'array':
          return walk(m.item)
        case 'record':
          if (m.key !== undefined) walk(m.key)
          return walk(m.value)
        case 'struct':
          return [...Object.values(m.required), ...Object.values(m.optional)].forEach(walk)
        case 'taggedUnion':
          return Object.values(m.members).forEach(walk)
        default:
          return
      }
    }
    walk(Step)
    expect(found.size).toBeGreaterThan(10)
    for (const [name, values] of found) {
      // Instance types come from the SDK's lists (test/spec/instance-types.test.ts).
      if (OWN.has(name) || /^"/.test(name) || /InstanceType$/.test(name)) continue
      const shape = SHAPE_OF[name]
      expect(shape, `enum codec ${name} is not mapped to a service-model shape`).toBeDefined()
      const expected = (ENUMS[shape!] as ReadonlyArray<string>).filter((v) => !(LEFT_OUT[name] ?? []).includes(v))
      expect(values, name).toStrictEqual(expected)
    }
  })
})

describe('validate uses the service model patterns (Java semantics)', () => {
  const job = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/out' } }
  const train = (extra: Record<string, unknown>) => ({ steps: [{ _tag: 'Training', name: 'train', ...job, ...extra }] })

  it.each([
    ['\\n', 'a\nb'],
    ['\\r', 'a\rb'],
    ['U+0085', 'a\u0085b'],
    ['U+2028', 'a\u2028b'],
    ['U+2029', 'a\u2029b'],
  ])('refuses a hyperparameter value with a line terminator (%s)', (_, value) => {
    const errors = invalid(train({ hyperParameters: { lr: '0.1', note: value } }))
    expect(errors.map((e) => [e._tag, e.path])).toEqual([['InvalidField', 'steps.train.hyperParameters.note']])
    expect(message(errors[0]!)).toContain('on one line')
  })

  it('accepts what Java accepts: other spaces, long values up to 2500 code points, numbers and booleans', () => {
    valid(train({ hyperParameters: { a: 'x\u00A0y\tz', b: '😀'.repeat(2500), c: 3, d: true } }))
    expect(invalid(train({ hyperParameters: { b: '😀'.repeat(2501) } }))).toHaveLength(1)
  })

  it('refuses line breaks in other one-line fields too (metric regex, S3 URI, content type, hyperparameter name)', () => {
    const errors = invalid(
      train({
        metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)\u2028' }],
        output: { s3OutputPath: 's3://bucket/out\u0085' },
        channels: { train: { uri: 's3://bucket/in', contentType: 'text/csv\n' } },
        hyperParameters: { 'a\nb': '1' },
      }),
    )
    expect(errors.map((e) => e.path).sort()).toEqual([
      'steps.train.channels.train.contentType',
      'steps.train.hyperParameters.a\nb',
      'steps.train.metricDefinitions.0.regex',
      'steps.train.output.s3OutputPath',
    ])
  })

  it("follows Java's ASCII-only \\S for images (U+2028 is not white space there), and refuses a space", () => {
    expect(P.ImageUri.is('repo/image:1\u2028')).toBe(true)
    expect(P.ImageUri.is('repo/image 1')).toBe(false)
  })

  it('the compiled fast path checks the same patterns as the decoder', () => {
    const bad = train({ hyperParameters: { note: 'a\u2028b' } })
    expect(C.fastCheck(Step)(bad.steps[0], [])).toBe(false)
    const good = train({ hyperParameters: { note: 'a b' } })
    expect(C.fastCheck(Step)(good.steps[0], [])).toBe(true)
  })

  it('training environment follows CreateTrainingJob (512 characters), a model environment CreateModel (1024)', () => {
    expect(invalid(train({ environment: { A: 'x'.repeat(513) } })).map((e) => e.path)).toEqual(['steps.train.environment.A'])
    valid(train({ environment: { A: 'x'.repeat(512) } }))
    valid({ steps: [{ _tag: 'Model', name: 'm', role: ROLE, container: { image: IMAGE, modelDataUrl: 's3://b/m.tar.gz', environment: { A: 'x'.repeat(1024) } } }] })
  })
})
