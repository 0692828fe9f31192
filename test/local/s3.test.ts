/**
 * `s3://` channels, code and outputs against moto's S3: objects downloaded under the channel's
 * folder at their keys relative to the prefix, ShardedByS3Key splitting them across hosts, a
 * manifest naming them, artifacts uploaded to `<S3OutputPath>/<job>/output/`, checkpoints synced.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { motoSkipReason, startMoto, type Moto } from '../support/moto.js'
import { localBackend, scriptJob, stageScript, waitEnded, type Local } from './support.js'

const skip = motoSkipReason()

const LISTING = `
import json, os
seen = {}
for ch in json.loads(os.environ["SM_CHANNELS"]):
    root = os.environ["SM_CHANNEL_" + ch.upper()]
    seen[ch] = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
host = os.environ["SM_CURRENT_HOST"]
ck = os.path.join(os.path.dirname(os.environ["SM_OUTPUT_DIR"]), "checkpoints")
seen["checkpoints"] = sorted(os.listdir(ck))
with open(os.path.join(ck, host + ".ckpt"), "w") as f:
    f.write(host)
with open(os.path.join(os.environ["SM_MODEL_DIR"], host + ".txt"), "w") as f:
    f.write(json.dumps(seen, sort_keys=True))
print(host, json.dumps(seen, sort_keys=True))
`

describe.skipIf(skip !== undefined)(`local training with s3:// data${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  let moto: Moto
  let local: Local
  let s3: S3Client
  beforeAll(async () => {
    moto = await startMoto()
    s3 = new S3Client({ region: 'us-west-2', endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
    await s3.send(new CreateBucketCommand({ Bucket: 'data', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }))
    for (const k of ['train/a.csv', 'train/b.csv', 'train/c.csv', 'train/sub/d.csv', 'other/x.csv']) await s3.send(new PutObjectCommand({ Bucket: 'data', Key: k, Body: k }))
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'ckpt/old.ckpt', Body: 'old' }))
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'manifest.json', Body: JSON.stringify([{ prefix: 's3://data/train/' }, 'b.csv', 'sub/d.csv']) }))
    // The backend reads the endpoint and credentials from the environment, like any SDK client.
    local = localBackend({ env: { ...process.env, ...moto.env, AWS_ENDPOINT_URL_S3: moto.endpoint } })
    // The SDK's default chain reads credentials from process.env: moto's, for this file only.
    for (const [k, v] of Object.entries(moto.env)) {
      saved.set(k, process.env[k])
      process.env[k] = v
    }
  })
  const saved = new Map<string, string | undefined>()
  afterAll(async () => {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k]
    else process.env[k] = v
    await local?.close()
    await moto?.stop()
    s3?.destroy()
  })

  it('downloads channels, shards by key across two hosts, honours a manifest, syncs checkpoints and uploads artifacts where the cloud does', async () => {
    const code = stageScript(local, 'listing', { 'train.py': LISTING })
    await local.backend.send(
      'CreateTrainingJob',
      scriptJob('s3-job', code, {
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 30 },
        OutputDataConfig: { S3OutputPath: 's3://data/models/' },
        CheckpointConfig: { S3Uri: 's3://data/ckpt' },
        InputDataConfig: [
          { ChannelName: 'full', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/', S3DataDistributionType: 'FullyReplicated' } } },
          { ChannelName: 'shard', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/', S3DataDistributionType: 'ShardedByS3Key' } } },
          { ChannelName: 'listed', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: 's3://data/manifest.json', S3DataDistributionType: 'FullyReplicated' } } },
        ],
      }),
    )
    const d = await waitEnded(local.backend, 's3-job')
    expect(d.FailureReason).toBeUndefined()
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe('s3://data/models/s3-job/output/model.tar.gz')
    const dir = join(local.stateDir, 'local/training-jobs/s3-job')
    const seen = (host: string) => JSON.parse(readFileSync(join(dir, host, 'model', `${host}.txt`), 'utf8'))
    const all = ['a.csv', 'b.csv', 'c.csv', 'sub/d.csv']
    expect(seen('algo-1')).toEqual({ full: all, shard: ['a.csv', 'c.csv'], listed: ['b.csv', 'sub/d.csv'], checkpoints: ['old.ckpt'] })
    expect(seen('algo-2')).toEqual({ full: all, shard: ['b.csv', 'sub/d.csv'], listed: ['b.csv', 'sub/d.csv'], checkpoints: ['old.ckpt'] })

    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'data' }))).Contents!.map((o) => o.Key).sort()
    expect(keys).toEqual(expect.arrayContaining(['models/s3-job/output/model.tar.gz', 'models/s3-job/output/output.tar.gz', 'ckpt/algo-1.ckpt', 'ckpt/old.ckpt']))
    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'models/s3-job/output/model.tar.gz' }))
    const bytes = await got.Body!.transformToByteArray()
    expect(Buffer.from(bytes)).toEqual(readFileSync(join(dir, 'model.tar.gz')))
  })

  it('runs code from an s3:// source archive', async () => {
    const staged = stageScript(local, 's3-code', { 'train.py': 'print("from s3")\n' })
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'code/abc/sourcedir.tar.gz', Body: readFileSync(new URL(staged)) }))
    await local.backend.send('CreateTrainingJob', scriptJob('s3-code', 's3://data/code/abc/sourcedir.tar.gz'))
    const d = await waitEnded(local.backend, 's3-code')
    expect([d.TrainingJobStatus, d.FailureReason]).toEqual(['Completed', undefined])
    expect((await local.backend.logs!('Training', 's3-code', undefined)).lines.map((l) => l.line)).toEqual(['from s3'])
  })

  it('fails a job whose channel has no objects, naming the channel', async () => {
    const code = stageScript(local, 'noop', { 'train.py': 'print(1)\n' })
    await local.backend.send(
      'CreateTrainingJob',
      scriptJob('s3-empty', code, { InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/nothing-here/' } } }] }),
    )
    const d = await waitEnded(local.backend, 's3-empty')
    expect(d.TrainingJobStatus).toBe('Failed')
    expect(d.FailureReason).toBe('ClientError: channel "train": s3://data/nothing-here/: no objects')
  })
})
