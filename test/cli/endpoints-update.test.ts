/**
 * `sagespec endpoints update-weights --target aws` against moto, an independent implementation of
 * UpdateEndpointWeightsAndCapacities: the weights it holds afterwards are the ones asked for. (The
 * local target's behaviour is in test/local/endpoints.test.ts.)
 */
import { join } from 'node:path'
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { desiredOf } from '../../src/cli/endpoints.js'
import { main } from '../../src/cli/main.js'
import { motoSkipReason } from '../support/moto.js'
import { motoCommands } from '../support/moto-commands.js'

describe('update-weights flags', () => {
  it('become one entry per variant, weights and counts together; bad ones are named', () => {
    expect(desiredOf(['a=0.2', 'b=0.8'], ['b=3'])).toEqual(E.right([{ VariantName: 'a', DesiredWeight: 0.2 }, { VariantName: 'b', DesiredWeight: 0.8, DesiredInstanceCount: 3 }]))
    expect(desiredOf(['a=-1', 'b'], ['c=1.5'])).toEqual(
      E.left(['--variant a=-1: expected NAME=WEIGHT (a number ≥ 0)', '--variant b: expected NAME=WEIGHT (a number ≥ 0)', '--instances c=1.5: expected NAME=COUNT (a whole number ≥ 1)']),
    )
    expect(E.isLeft(desiredOf([], []))).toBe(true)
  })
})

const skip = motoSkipReason()

describe.skipIf(skip !== undefined)(`endpoints update-weights --target aws against moto${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  const aws = motoCommands('sagespec-update-weights-')


  it('sends the weights; the service holds them, and an unknown variant is its error', async () => {
    for (const m of ['m0', 'm1']) {
      await aws.sm.send(new CreateModelCommand({ ModelName: m, ExecutionRoleArn: 'arn:aws:iam::111122223333:role/R', PrimaryContainer: { Image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/x:1', ModelDataUrl: 's3://b/m.tar.gz' } }))
    }
    await aws.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'ab-config',
        ProductionVariants: ['m0', 'm1'].map((m, i) => ({ VariantName: `v${i}`, ModelName: m, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 })),
      }),
    )
    await aws.sm.send(new CreateEndpointCommand({ EndpointName: 'ab', EndpointConfigName: 'ab-config' }))
    const out: string[] = []
    const err: string[] = []
    const cli = (...args: string[]) => main(['endpoints', ...args, '--target', 'aws', '--state-dir', join(aws.dir, 'state')], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
    expect(await cli('update-weights', 'ab', '--variant', 'v0=0.2', '--variant', 'v1=0.8')).toBe(0)
    expect(out.join('\n')).toContain('ab: InService')
    const d = await aws.sm.send(new DescribeEndpointCommand({ EndpointName: 'ab' }))
    expect(d.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight, v.DesiredWeight])).toEqual([
      ['v0', 0.2, 0.2],
      ['v1', 0.8, 0.8],
    ])
    expect(await cli('update-weights', 'ab', '--variant', 'v9=1')).toBe(1)
    expect(err.join('\n')).toContain('v9')
  })
})
