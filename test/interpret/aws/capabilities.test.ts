/**
 * The AWS capability check and the `--upload-local-data` rewrite (pure), and the backend's small
 * pure parts: endpoint overrides, the poll policy, S3 URIs, content hashes of local data.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { message } from '../../../src/spec/errors.js'
import { join as joinVal, model, program, runId, training, transform, tuning } from '../../../src/index.js'
import { awsProblems, localLocations, withUploadedData } from '../../../src/interpret/aws/capabilities.js'
import { COMMANDS } from '../../../src/interpret/aws/backend.js'
import { clearly, clientConfig, endpointOverride, pollPolicy, singleAttemptConfig } from '../../../src/interpret/aws/config.js'
import { isRetryable } from '../../../src/interpret/execute/calls.js'
import { hashLocalData, localPath } from '../../../src/interpret/aws/local-data.js'
import { joinKey, parseS3Uri } from '../../../src/interpret/aws/s3-uri.js'
import type { OperationName } from '../../../src/interpret/plan/operations.js'
import { IMAGE, ROLE, planOf, requestOf } from '../../support/fixtures.js'
import { tempDir } from './harness.js'

const job = (channels: Record<string, { uri: string; distribution?: 'FullyReplicated' | 'ShardedByS3Key' }>, extra: Record<string, unknown> = {}) => ({
  image: IMAGE,
  role: ROLE,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://bucket/out' },
  channels,
  ...extra,
})

const mixed = () => {
  const train = training('train', job({ train: { uri: 'file:///data/train', distribution: 'ShardedByS3Key' }, test: { uri: 's3://bucket/test/' } }, { modelUri: 'file:///data/model' }))
  const tune = tuning('tune', {
    training: job({ train: { uri: 'file:///data/train' } }, { metricDefinitions: [{ name: 'auc', regex: 'auc=([0-9.]+)' }] }),
    objective: { metricName: 'auc', type: 'Maximize' },
    ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
  })
  const m = model('m', { container: { image: IMAGE, modelDataUrl: train.outputs.modelArtifacts }, role: ROLE })
  const score = transform('score', {
    model: m.outputs.name,
    input: { uri: 'file:///data/score' },
    output: { s3OutputPath: joinVal('/', ['file:///tmp/scores', runId]) },
    resources: { instanceType: 'ml.m5.xlarge' },
  })
  return planOf(program(train, tune, m, score))
}

describe('the AWS capability check', () => {
  it('finds every file:// location at the path the program uses, uploadable or not', () => {
    expect(localLocations(mixed()).map((l) => [l.path, l.uri, l.uploadable])).toEqual([
      ['steps.train.channels.train.uri', 'file:///data/train', true],
      ['steps.train.modelUri', 'file:///data/model', true],
      ['steps.tune.training.channels.train.uri', 'file:///data/train', true],
      ['steps.score.input.uri', 'file:///data/score', true],
      ['steps.score.TransformOutput.S3OutputPath', 'file:///tmp/scores', false],
    ])
  })

  it('refuses file:// channels with the path, the reason and the fix', () => {
    const plan = planOf(program(training('train', job({ train: { uri: 'file:///data/train' } }))))
    expect(awsProblems(plan).map(message)).toEqual([
      'steps.train.channels.train.uri: expected an s3:// location (SageMaker reads data from S3, not this machine): upload it first, or run with --upload-local-data s3://bucket/prefix, found "file:///data/train"',
    ])
  })

  it('with --upload-local-data, refuses only what cannot be uploaded (outputs)', () => {
    const problems = awsProblems(mixed(), { uploadLocalData: 's3://bucket/local' })
    expect(problems.map((p) => p.path)).toEqual(['steps.score.TransformOutput.S3OutputPath'])
  })

  it('refuses an --upload-local-data that is not an s3:// URI', () => {
    const plan = planOf(program(training('train', job({ train: { uri: 's3://bucket/train' } }))))
    expect(awsProblems(plan, { uploadLocalData: '/tmp/x' }).map((p) => p.path)).toEqual(['--upload-local-data'])
    expect(awsProblems(plan, { uploadLocalData: 's3://bucket/x' })).toEqual([])
  })

  it('an S3-only program has no problems', () => {
    expect(awsProblems(planOf(program(training('train', job({ train: { uri: 's3://bucket/train' } })))))).toEqual([])
  })
})

describe('withUploadedData', () => {
  it('rewrites uploaded channels to S3 sources with the same distribution, and transform inputs to their S3 URI', () => {
    const uploaded = new Map([
      ['file:///data/train', 's3://bucket/local/aaa/'],
      ['file:///data/score', 's3://bucket/local/ccc/'],
    ])
    const plan = withUploadedData(uploaded)(mixed())
    const train = requestOf(plan, 'train', 'CreateTrainingJob').input
    expect(train.InputDataConfig).toEqual([
      { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/local/aaa/', S3DataDistributionType: 'ShardedByS3Key' } } },
      { ChannelName: 'test', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/test/', S3DataDistributionType: 'FullyReplicated' } } },
      // Not in the map: left as it was.
      expect.objectContaining({ ChannelName: 'model', DataSource: { FileDataSource: { FileDataDistributionType: 'FullyReplicated', FileUri: 'file:///data/model' } } }),
    ])
    const tune = requestOf(plan, 'tune', 'CreateHyperParameterTuningJob').input
    expect(JSON.stringify(tune)).not.toContain('file://')
    expect(requestOf(plan, 'score', 'CreateTransformJob').input.TransformInput?.DataSource?.S3DataSource?.S3Uri).toBe('s3://bucket/local/ccc/')
    // What was rewritten is no longer a problem; what was not still is.
    expect(localLocations(plan).map((l) => l.path)).toEqual(['steps.train.modelUri', 'steps.score.TransformOutput.S3OutputPath'])
  })

  it('is the identity on a plan without local data, and deterministic', () => {
    const plan = planOf(program(training('train', job({ train: { uri: 's3://bucket/train' } }))))
    const map = new Map([['file:///x', 's3://b/x/']])
    expect(JSON.stringify(withUploadedData(map)(plan))).toBe(JSON.stringify(plan))
    expect(JSON.stringify(withUploadedData(map)(mixed()))).toBe(JSON.stringify(withUploadedData(map)(mixed())))
  })
})

describe('local data', () => {
  it('the hash depends on the files and their names, not where the folder is', () => {
    const dir = tempDir()
    try {
      const make = (root: string, extra?: string) => {
        mkdirSync(join(root, 'sub'), { recursive: true })
        writeFileSync(join(root, 'a.csv'), '1,2\n')
        writeFileSync(join(root, 'sub', 'b.csv'), extra ?? '3,4\n')
        return hashLocalData(root)
      }
      const one = make(join(dir.path, 'one'))
      const two = make(join(dir.path, 'two'))
      const changed = make(join(dir.path, 'three'), '3,5\n')
      expect(one.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(two.sha256).toBe(one.sha256)
      expect(changed.sha256).not.toBe(one.sha256)
      expect(one.files.map((f) => f.key)).toEqual(['a.csv', 'sub/b.csv'])
      expect(hashLocalData(join(dir.path, 'one', 'a.csv')).files.map((f) => f.key)).toEqual(['a.csv'])
    } finally {
      dir.remove()
    }
  })

  it('file:// paths: absolute as they are, relative against the base folder', () => {
    expect(localPath('file:///data/train', '/work')).toBe('/data/train')
    expect(localPath('file://data/train', '/work')).toBe('/work/data/train')
  })
})

describe('the AWS backend configuration', () => {
  it('endpoint overrides: the service variable first, then AWS_ENDPOINT_URL; ignored on request', () => {
    expect(endpointOverride('S3', {})).toBeUndefined()
    expect(endpointOverride('S3', { AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a')
    expect(endpointOverride('S3', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' })).toBe('http://s3')
    expect(endpointOverride('S3', { AWS_ENDPOINT_URL: 'http://a', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined()
  })

  it('polls every 2 s growing to 30 s unless SAGESPEC_AWS_POLL_MS says otherwise', () => {
    expect(pollPolicy({})).toEqual({ initialMs: 2000, maxMs: 30000 })
    expect(pollPolicy({ SAGESPEC_AWS_POLL_MS: '20,100' })).toEqual({ initialMs: 20, maxMs: 100 })
    expect(pollPolicy({ SAGESPEC_AWS_POLL_MS: 'soon' })).toEqual({ initialMs: 2000, maxMs: 30000 })
  })

  it('maps every operation of the port to an SDK command', () => {
    const ops = Object.keys(COMMANDS) as OperationName[]
    expect(ops).toContain('CreateTrainingJob')
    // A missing operation is a compile error: the table's type is keyed by every OperationName.
    // @ts-expect-error -- 'Nonsense' is not an operation
    const _extra: (typeof COMMANDS)['Nonsense'] = undefined
    expect(_extra).toBeUndefined()
  })

  it('S3 URIs', () => {
    expect(parseS3Uri('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', key: 'a/b/' })
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' })
    expect(parseS3Uri('file:///x')).toBeUndefined()
    expect(parseS3Uri('s3://Bad_Bucket/x')).toBeUndefined()
    expect(joinKey('a/', '/b/', '', 'c')).toBe('a/b/c')
  })
})

describe('retries have one owner', () => {
  it('SageMaker clients make one attempt whatever --max-attempts says; S3 and logs clients take it', () => {
    expect(singleAttemptConfig({ region: 'us-west-2' })).toStrictEqual({ region: 'us-west-2', maxAttempts: 1 })
    expect(singleAttemptConfig({})).toStrictEqual({ maxAttempts: 1 })
    expect(clientConfig({ maxAttempts: 5 })).toStrictEqual({ maxAttempts: 5 })
  })

  it('a connection that fails is one clear line, and worth another attempt', () => {
    const e = clearly(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'http://127.0.0.1:1')
    expect(e).toMatchObject({ name: 'Unreachable' })
    expect(isRetryable(e)).toBe(true)
  })
})
