/**
 * Type-level guarantees, checked by `tsc --noEmit` (part of `npm test`): a `@ts-expect-error` line
 * that stops being an error fails the typecheck. The runtime assertions keep vitest honest too.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker'
import { concat, join, model, param, pathRef, ref, runId, training, type Ref, type Val } from '../../src/spec/index.js'

const role = 'arn:aws:iam::111122223333:role/R'
const train = training('train', {
  image: 'img',
  role,
  resources: { instanceType: 'ml.m5.large' },
  output: { s3OutputPath: 's3://b/o' },
})

describe('Val and Ref types', () => {
  it('refs are typed by what they point at and are not strings', () => {
    expectTypeOf(train.outputs.modelArtifacts).toEqualTypeOf<Ref<string, 'S3Uri'>>()
    // @ts-expect-error a ref is not a string: concatenating by accident must not compile
    const s: string = train.outputs.modelArtifacts
    expect(typeof s).toBe('object')
  })

  it('join is the explicit way to build strings from refs', () => {
    const uri: Val<string> = concat('s3://b/', train.outputs.jobName, '/output/model.tar.gz')
    expect(uri).toMatchObject({ _tag: 'Join', on: '' })
    const name: Val<string> = join('-', ['x', runId])
    expect(name).toMatchObject({ _tag: 'Join', on: '-' })
  })

  it('a number ref does not fit a string-only field and a string ref does not fit a number field', () => {
    const seconds = ref<number>('train', ['BillableTimeInSeconds'])
    training('t2', {
      image: 'img',
      role,
      // @ts-expect-error instanceCount takes a number, not a string ref
      resources: { instanceType: 'ml.m5.large', instanceCount: train.outputs.jobName },
      output: { s3OutputPath: 's3://b/o' },
      stopping: { maxRuntimeInSeconds: seconds },
    })
    expect(seconds.path).toEqual(['BillableTimeInSeconds'])
  })

  it('params carry their type', () => {
    const n = param.integer('n', { default: 3 })
    expectTypeOf(n.default).toEqualTypeOf<string | number | boolean | undefined>()
    // @ts-expect-error an integer param does not fit a string field such as the image
    model('m', { container: { image: n }, role })
    expect(n.type).toBe('Integer')
  })

  it('pathRef types paths from the SDK Describe* response', () => {
    const at = pathRef<DescribeTrainingJobResponse>('train')
    expectTypeOf(at('ModelArtifacts', 'S3ModelArtifacts')).toEqualTypeOf<Ref<string>>()
    expectTypeOf(at('BillableTimeInSeconds')).toEqualTypeOf<Ref<number>>()
    // @ts-expect-error not a field of DescribeTrainingJobResponse
    at('ModelArtifact')
    expect(at('TrainingJobName')).toEqual({ _tag: 'Ref', step: 'train', path: ['TrainingJobName'] })
  })
})
