/**
 * The endpoint, predict and attach commands through the AWS target against moto, an independent
 * implementation of the SageMaker and SageMaker Runtime APIs: what they print is what moto holds.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateTrainingJobCommand, ListEndpointsCommand, ListModelsCommand } from '@aws-sdk/client-sagemaker'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { motoSkipReason } from '../support/moto.js'
import { motoCommands } from '../support/moto-commands.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn:1.0'

const skip = motoSkipReason()

describe.skipIf(skip !== undefined)(`endpoints, predict and attach --target aws against moto${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  const aws = motoCommands('sagespec-aws-commands-')

  const cli = async (...args: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const bytes: Uint8Array[] = []
    const code = await main([...args, '--target', 'aws', '--state-dir', join(aws.dir, 'state')], { out: (s) => void out.push(s), err: (s) => void err.push(s), write: (b) => void bytes.push(b) })
    return { code, out, err: err.join('\n'), bytes: Buffer.concat(bytes).toString() }
  }

  const deploy = async (name: string, models: ReadonlyArray<string>) => {
    for (const m of models) await aws.sm.send(new CreateModelCommand({ ModelName: m, ExecutionRoleArn: role, PrimaryContainer: { Image: image, ModelDataUrl: 's3://bucket/model.tar.gz' } }))
    await aws.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${name}-config`,
        ProductionVariants: models.map((m, i) => ({ VariantName: `v${i}`, ModelName: m, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 })),
      }),
    )
    await aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config` }))
  }


  it('endpoints list and describe show what the service holds; delete --with-models removes the endpoint, its config and its models', async () => {
    await deploy('serve-a', ['model-a'])
    await deploy('serve-b', ['model-b1', 'model-b2'])
    const listed = await cli('endpoints', 'list', '--format', 'json')
    expect(listed.code).toBe(0)
    const names = (JSON.parse(listed.out.join('\n')) as Array<{ EndpointName: string }>).map((e) => e.EndpointName).sort()
    expect(names).toStrictEqual(((await aws.sm.send(new ListEndpointsCommand({}))).Endpoints ?? []).map((e) => e.EndpointName).sort())
    expect(names).toStrictEqual(['serve-a', 'serve-b'])

    const described = await cli('endpoints', 'describe', 'serve-b')
    expect(described.code).toBe(0)
    expect(described.out.join('\n')).toMatch(/^Endpoint serve-b: \w+\n {2}ARN {6}arn:aws:sagemaker:us-west-2:\d+:endpoint\/serve-b\n/)
    expect(described.out.join('\n')).toContain('Variants (serve-b-config):')
    expect(described.out.join('\n')).toMatch(/\n {2}v1 +model-b2 +1 × ml\.m5\.large +1/)

    const deleted = await cli('endpoints', 'delete', 'serve-b', '--with-models')
    expect(deleted).toMatchObject({ code: 0, err: '' })
    expect(deleted.out).toStrictEqual(['endpoint serve-b: deleting', 'endpoint serve-b: deleted', 'endpoint config serve-b-config: deleted', 'model model-b1: deleted', 'model model-b2: deleted'])
    expect(((await aws.sm.send(new ListEndpointsCommand({}))).Endpoints ?? []).map((e) => e.EndpointName)).toStrictEqual(['serve-a'])
    expect(((await aws.sm.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName)).toStrictEqual(['model-a'])
    expect(await cli('endpoints', 'describe', 'serve-b')).toMatchObject({ code: 1, err: 'no endpoint "serve-b" (sagespec endpoints list shows the endpoints there)' })
  })

  it('predict prints the body the service answered, byte for byte', async () => {
    await deploy('serve-p', ['model-p'])
    const answer = 'label,score\n"churn, likely",0.93\n'
    const queued = await fetch(`${aws.moto.endpoint}/moto-api/static/sagemaker/endpoint-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: '123456789012', region: 'us-west-2', results: [{ Body: answer, ContentType: 'text/csv', InvokedProductionVariant: 'v0', CustomAttributes: '' }] }),
    })
    expect(queued.status).toBe(201)
    const data = join(aws.dir, 'rows.csv')
    writeFileSync(data, '1,2,3\n')
    const r = await cli('predict', 'serve-p', '--data', data)
    expect(r).toMatchObject({ code: 0, err: '', bytes: answer })
  })

  it('attach follows a training job until it ends and exits 0 when it completed', async () => {
    await aws.sm.send(
      new CreateTrainingJobCommand({
        TrainingJobName: 'attach-me',
        RoleArn: role,
        AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
        OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    )
    const r = await cli('attach', 'attach-me', '--kind', 'training', '--no-logs')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out[0]).toMatch(/^Following training job attach-me on /)
    expect(r.out.at(-1)).toBe('attach-me: Completed')
    expect(await cli('attach', 'nobody')).toMatchObject({ code: 1, err: 'no training, tuning or transform job named "nobody" on --target aws' })
  })
})
