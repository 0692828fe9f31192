/**
 * `sagespec run … --target aws` end to end against moto, an independent implementation of the
 * SageMaker, S3 and CloudWatch Logs APIs, through the fault proxy (here it only forwards and records).
 * Every example program runs; what the run leaves in the service is read back with a separate client.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { packFolder } from '../../../src/local/archive.js'
import { DeleteEndpointCommand, DescribeModelCommand, ListEndpointsCommand, DescribeTrainingJobCommand, ListModelsCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { program, training, validate, type Program } from '../../../src/index.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { target as awsTarget } from '../../../src/interpret/aws/index.js'
import type { Progress } from '../../../src/interpret/execute/port.js'
import { uploadFrames } from '../../../src/cli/view.js'
import { pytorch } from '../../../src/frameworks/index.js'
import type { FaultProxy } from '../../support/fault-proxy.js'
import { motoSkipReason, type Moto } from '../../support/moto.js'
import { createBucket, serviceModels, modelViolations, runCli, startMotoStack, type MotoStack, type tempDir } from './harness.js'

const skip = motoSkipReason()
const models = serviceModels()
const validated = (p: Program) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return v.right
}
const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

describe.skipIf(skip !== undefined)(`sagespec run --target aws against moto${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  let moto: Moto
  let proxy: FaultProxy
  let s3: S3Client
  let sm: SageMakerClient
  let dir: ReturnType<typeof tempDir>
  let env: Record<string, string>
  const state = () => join(dir.path, 'state')
  const sentFor = (op: string, name: string) => proxy.requests.filter((q) => q.operation === op && JSON.stringify(q.body ?? '').includes(name)).length
  const run = (args: ReadonlyArray<string>) => runCli(['run', ...args, '--target', 'aws', '--state-dir', state()], env)
  // Endpoints keep their name across runs, so a later run updates them, and moto answers
  // UpdateEndpoint with a 500: each test that deploys starts without endpoints.
  const deleteEndpoints = async () => {
    for (const e of (await sm.send(new ListEndpointsCommand({}))).Endpoints ?? []) await sm.send(new DeleteEndpointCommand({ EndpointName: e.EndpointName! }))
  }

  /**
   * moto completes training jobs without writing their artifacts: put a model archive where the
   * PyTorch example's job would have (its repack downloads it), the same bytes for every run.
   */
  let modelArchive: Uint8Array
  const seedDigitsModel = async (runId: string) => {
    await s3.send(new PutObjectCommand({ Bucket: 'example-bucket', Key: `digits/models/digits-${runId}/output/model.tar.gz`, Body: modelArchive }))
  }

  let stack: MotoStack | undefined

  beforeAll(async () => {
    stack = await startMotoStack()
    ;({ moto, proxy, s3, sm, dir, env } = stack)
    await createBucket(s3, 'example-bucket')
    mkdirSync(join(dir.path, 'model'), { recursive: true })
    writeFileSync(join(dir.path, 'model', 'model.pth'), 'weights')
    await packFolder(join(dir.path, 'model'), join(dir.path, 'model.tar.gz'))
    modelArchive = readFileSync(join(dir.path, 'model.tar.gz'))
  })

  afterAll(async () => {
    await stack?.close()
  })

  const examples = readdirSync('examples').filter((f) => f.endsWith('.ts')).sort()

  // An example made for local runs (file:// data) is refused, each problem named, and nothing runs.
  it.each(examples.map((f, i) => [f, `ex${i}`] as const))('%s runs to completion (run id %s)', async (file, runId) => {
    await seedDigitsModel(runId)
    const r = await run([join('examples', file), '--run-id', runId])
    expect(r.err).toBe('')
    expect(r.out).toContain(`Run ${runId}: Completed`)
    expect(r.code).toBe(0)
  })

  it('the local quick start is refused for AWS before anything starts: its file:// channel, named with its path', async () => {
    const r = await run(['examples/local/quickstart.ts', '--run-id', 'local1'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('steps.quickstart.channels.train.uri')
    expect(r.err).toContain('--upload-local-data')
    expect(proxy.requests.filter((q) => q.operation.startsWith('Create') && JSON.stringify(q.body).includes('local1'))).toEqual([])
  })

  it('code archives land in S3 under the sha256 of the tar inside them', async () => {
    await deleteEndpoints()
    await seedDigitsModel('code1')
    expect((await run(['examples/pytorch-script-mode.ts', '--run-id', 'code1'])).code).toBe(0)
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'example-bucket', Prefix: 'code/' }))
    const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('/sourcedir.tar.gz'))
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      const m = /^code\/([0-9a-f]{64})\/sourcedir\.tar\.gz$/.exec(key)
      expect(m, key).not.toBeNull()
      const body = await (await s3.send(new GetObjectCommand({ Bucket: 'example-bucket', Key: key }))).Body!.transformToByteArray()
      expect(createHash('sha256').update(gunzipSync(body)).digest('hex')).toBe(m![1])
    }
    // The job reads the archive it was given.
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'digits-code1' }))
    expect(keys.map((k) => `"s3://example-bucket/${k}"`)).toContain(job.HyperParameters?.['sagemaker_submit_directory'])
  })

  it('the model archive is repacked with code/inference.py, and the model serves the repacked object', async () => {
    await deleteEndpoints()
    await seedDigitsModel('rp1')
    const r = await run(['examples/pytorch-script-mode.ts', '--run-id', 'rp1'])
    expect(r.code, r.err).toBe(0)
    const model = await sm.send(new DescribeModelCommand({ ModelName: 'digits-model-rp1' }))
    const url = model.PrimaryContainer?.ModelDataUrl ?? ''
    expect(url).toMatch(/^s3:\/\/example-bucket\/code\/[0-9a-f]{64}\/model\.tar\.gz$/)
    expect(model.PrimaryContainer?.Environment?.['SAGEMAKER_SUBMIT_DIRECTORY']).toBe('/opt/ml/model/code')
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'example-bucket', Key: url.replace('s3://example-bucket/', '') }))).Body!.transformToByteArray()
    writeFileSync(join(dir.path, 'repacked.tar.gz'), body)
    const listed = execFileSync('tar', ['-tzf', join(dir.path, 'repacked.tar.gz')], { encoding: 'utf8' }).split('\n').filter((l) => l !== '')
    expect(listed).toEqual(expect.arrayContaining(['model.pth', 'code/inference.py', 'code/train.py']))
    expect(execFileSync('tar', ['-xzOf', join(dir.path, 'repacked.tar.gz'), 'code/inference.py'], { encoding: 'utf8' })).toBe(readFileSync('examples/pytorch/inference.py', 'utf8'))
  })

  it('a second run uploads nothing: the code is there, and so is the repacked archive (HeadObject finds both)', async () => {
    await deleteEndpoints()
    await seedDigitsModel('code2')
    const before = proxy.count('PutObject') + proxy.count('CreateMultipartUpload')
    const r = await run(['examples/pytorch-script-mode.ts', '--run-id', 'code2'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/digits-model: already repacked s3:\/\/example-bucket\/digits\/models\/digits-code2\/output\/model\.tar\.gz/)
    expect(proxy.count('PutObject') + proxy.count('CreateMultipartUpload')).toBe(before)
  })

  it("downstream requests carry upstream Describe values: the model's ModelDataUrl is the job's S3ModelArtifacts", async () => {
    await deleteEndpoints()
    const r = await run(['examples/train-deploy.ts', '--run-id', 'flow1'])
    expect(r.code).toBe(0)
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'train-flow1' }))
    const model = await sm.send(new DescribeModelCommand({ ModelName: 'churn-model-flow1' }))
    expect(job.ModelArtifacts?.S3ModelArtifacts).toMatch(/^s3:\/\/example-bucket\/churn\/models\/flow1\//)
    expect(model.PrimaryContainer?.ModelDataUrl).toBe(job.ModelArtifacts?.S3ModelArtifacts)
  })

  it('a second run with the same run id creates nothing', async () => {
    await deleteEndpoints()
    const first = await run(['examples/train-deploy.ts', '--run-id', 'twice'])
    expect(first.code).toBe(0)
    const jobs = async () => (await sm.send(new ListTrainingJobsCommand({ MaxResults: 100 }))).TrainingJobSummaries?.length ?? 0
    const modelCount = async () => (await sm.send(new ListModelsCommand({ MaxResults: 100 }))).Models?.length ?? 0
    const creates = () => proxy.requests.filter((q) => q.operation.startsWith('Create') && q.service === 'sagemaker').length
    const [j, m, c] = [await jobs(), await modelCount(), creates()]
    const second = await run(['examples/train-deploy.ts', '--run-id', 'twice'])
    expect(second.code).toBe(0)
    expect(second.out).toContain('(reused)')
    expect([await jobs(), await modelCount(), creates()]).toEqual([j, m, c])
    // A fresh state folder (the journal lost): describe-by-name adopts what exists instead.
    const third = await runCli(['run', 'examples/train-deploy.ts', '--target', 'aws', '--run-id', 'twice', '--state-dir', join(dir.path, 'other-state')], env)
    expect(third.code).toBe(0)
    expect(third.out).toContain('already exists; adopted')
    expect([await jobs(), await modelCount(), creates()]).toEqual([j, m, c])
  })

  it('a missing bucket is an error naming it', async () => {
    const file = join(dir.path, 'no-bucket.json')
    const train = pytorch('nb', {
      entryPoint: 'train.py',
      sourceDir: 'examples/pytorch',
      codeLocation: 's3://no-such-bucket-sagespec/code',
      frameworkVersion: '2.2',
      region: 'us-west-2',
      role,
      instanceType: 'ml.g5.xlarge',
      output: { s3OutputPath: 's3://example-bucket/nb/models' },
    })
    writeFileSync(file, JSON.stringify(program(train)))
    const r = await run([file, '--run-id', 'nobucket'])
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/S3 bucket "no-such-bucket-sagespec" does not exist/)
    expect(proxy.requests.some((q) => q.operation === 'CreateTrainingJob' && JSON.stringify(q.body).includes('nb-nobucket'))).toBe(false)
  })

  describe('file:// channels', () => {
    const localProgram = () => {
      const data = join(dir.path, 'data')
      mkdirSync(join(data, 'part'), { recursive: true })
      writeFileSync(join(data, 'a.csv'), '1,2\n3,4\n')
      writeFileSync(join(data, 'part', 'b.csv'), '5,6\n')
      const file = join(dir.path, 'local-data.json')
      const train = training('local', {
        image,
        role,
        resources: { instanceType: 'ml.m5.xlarge' },
        output: { s3OutputPath: 's3://example-bucket/local/models' },
        channels: { train: { uri: `file://${data}`, distribution: 'ShardedByS3Key' } },
      })
      writeFileSync(file, JSON.stringify(program(train)))
      return file
    }

    it('are refused with the path, the reason and the fix; nothing is sent', async () => {
      const before = proxy.requests.length
      const r = await run([localProgram(), '--run-id', 'local0'])
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/steps\.local\.channels\.train\.uri: expected an s3:\/\/ location \(SageMaker reads data from S3.*--upload-local-data s3:\/\/bucket\/prefix/)
      expect(proxy.requests.length).toBe(before)
    })

    it('with --upload-local-data, are uploaded content-addressed once and read from S3', async () => {
      const file = localProgram()
      const r = await run([file, '--run-id', 'local1', '--upload-local-data', 's3://example-bucket/uploads'])
      expect(r.code).toBe(0)
      const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'local-local1' }))
      const source = job.InputDataConfig?.[0]?.DataSource?.S3DataSource
      expect(source?.S3DataDistributionType).toBe('ShardedByS3Key')
      const m = /^s3:\/\/example-bucket\/uploads\/([0-9a-f]{64})\/$/.exec(source?.S3Uri ?? '')
      expect(m, source?.S3Uri).not.toBeNull()
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'example-bucket', Prefix: `uploads/${m![1]}/` }))
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([`uploads/${m![1]}/a.csv`, `uploads/${m![1]}/part/b.csv`])
      // The same data again: nothing is uploaded.
      const puts = proxy.count('PutObject')
      const again = await run([file, '--run-id', 'local2', '--upload-local-data', 's3://example-bucket/uploads'])
      expect(again.code).toBe(0)
      expect(proxy.count('PutObject')).toBe(puts)
    })

    it('a missing upload bucket is refused before anything runs, naming it', async () => {
      const r = await run([localProgram(), '--run-id', 'local3', '--upload-local-data', 's3://no-such-upload-bucket/x'])
      expect(r.code).toBe(1)
      expect(r.err).toContain('--upload-local-data: expected an S3 location these credentials can write to (S3 bucket "no-such-upload-bucket" does not exist')
      expect(r.err).toContain('pass another --upload-local-data')
      expect(sentFor('DescribeTrainingJob', 'local-local3')).toBe(0)
    })
  })

  it('large local data goes up in parts (multipart upload), byte for byte', async () => {
    const data = join(dir.path, 'big')
    mkdirSync(data, { recursive: true })
    // 12 MiB of deterministic bytes: more than two 5 MiB parts.
    const bytes = Buffer.alloc(12 * 1024 * 1024)
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i)
    writeFileSync(join(data, 'big.bin'), bytes)
    const file = join(dir.path, 'big.json')
    writeFileSync(file, JSON.stringify(program(training('big', { image, role, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://example-bucket/big/models' }, channels: { train: { uri: `file://${data}` } } }))))
    const parts = proxy.count('UploadPart')
    const r = await run([file, '--run-id', 'big1', '--upload-local-data', 's3://example-bucket/uploads'])
    expect(r.code).toBe(0)
    expect(proxy.count('CreateMultipartUpload')).toBeGreaterThanOrEqual(1)
    expect(proxy.count('UploadPart') - parts).toBe(3)
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'big-big1' }))
    const key = `${job.InputDataConfig![0]!.DataSource!.S3DataSource!.S3Uri!.slice('s3://example-bucket/'.length)}big.bin`
    const got = await (await s3.send(new GetObjectCommand({ Bucket: 'example-bucket', Key: key }))).Body!.transformToByteArray()
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'))
    // Progress: one line when the file is up, not one per part.
    expect(r.out.split('\n').filter((l) => l.includes('big.bin'))).toEqual([`uploaded s3://example-bucket/${key} (${bytes.length} bytes)`])
  })

  it('an upload before the run reports each part to onUpload (the terminal line), then says the final line once', async () => {
    const data = join(dir.path, 'live')
    mkdirSync(data, { recursive: true })
    writeFileSync(join(data, 'live.bin'), Buffer.alloc(11 * 1024 * 1024, 7))
    const plan = toPlan(validated(program(training('live', { image, role, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://example-bucket/live/models' }, channels: { train: { uri: `file://${data}` } } }))))
    const events: Progress[] = []
    const said: string[] = []
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
    Object.assign(process.env, env)
    try {
      const prepared = await awsTarget.prepare(plan, { stateDir: state(), baseDir: dir.path, uploadLocalData: 's3://example-bucket/uploads-live', onUpload: (p) => void events.push(p), say: (l) => void said.push(l) })
      expect(prepared.errors).toEqual([])
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v)
    }
    // Three 5 MiB parts at most: the live line moves at least twice before it ends whole.
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(events.at(-1)).toMatchObject({ loaded: 11 * 1024 * 1024, total: 11 * 1024 * 1024 })
    const frames = uploadFrames(events.map((progress, i) => ({ progress, at: i * 1000 })))
    expect(frames.slice(0, -1).every((f) => f.length === 1 && f[0]!.includes('live.bin'))).toBe(true)
    expect(frames.at(-1)).toEqual([])
    expect(said.filter((l) => l.includes('live.bin'))).toHaveLength(1)
  })

  it.skipIf(models.models === undefined)(`every request the CLI sent passes the service-model check${models.skip === undefined ? '' : ` (skipped: ${models.skip})`}`, () => {
    const json = proxy.requests.filter((r) => r.body !== undefined)
    expect(json.length).toBeGreaterThan(20)
    expect(modelViolations(models.models!, proxy.requests)).toEqual([])
    // Not vacuous: a broken request of each protocol is caught.
    const bad = [
      { service: 'sagemaker', operation: 'CreateModel', method: 'POST', path: '/', body: { ModelName: 'bad name!' }, answered: 'forwarded' },
      { service: 's3', operation: 'HeadObject', method: 'HEAD', path: '/Bad_Bucket!/', body: undefined, answered: 'forwarded' },
    ] as const
    expect(modelViolations(models.models!, bad)).toHaveLength(2)
  })
})
