/**
 * Waiting, failures, throttling, logs and Ctrl-C on `--target aws`, with the fault proxy in front of
 * moto answering as the real service does when things go wrong.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { model, program, training } from '../../../src/index.js'
import type { FaultProxy } from '../../support/fault-proxy.js'
import { freePort, motoSkipReason, type Moto } from '../../support/moto.js'
import { createBucket, serviceModels, modelViolations, runCli, startMotoStack, type MotoStack, type tempDir } from './harness.js'

const skip = motoSkipReason()
const models = serviceModels()
const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

/** Train, then a model of its artifacts: the job is `<base>-<run id>`. */
const chain = (base: string) => {
  const train = training('train', {
    baseJobName: base,
    image,
    role,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: 's3://fault-bucket/models' },
    channels: { train: { uri: 's3://fault-bucket/train/' } },
  })
  const m = model('model', { container: { image, modelDataUrl: train.outputs.modelArtifacts }, role })
  return program(train, m)
}

const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l))

/** Poll until `f` holds (or fail after `ms`). */
const until = async (f: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe.skipIf(skip !== undefined)(`--target aws when things go wrong (moto behind a fault proxy)${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  let moto: Moto
  let proxy: FaultProxy
  let dir: ReturnType<typeof tempDir>
  let env: Record<string, string>
  const programFile = (base: string) => {
    const file = join(dir.path, `${base}.json`)
    writeFileSync(file, JSON.stringify(chain(base)))
    return file
  }
  const run = (args: ReadonlyArray<string>) => runCli(['run', ...args, '--target', 'aws', '--state-dir', join(dir.path, 'state')], env)
  const sentFor = (op: string, name: string) => proxy.requests.filter((q) => q.operation === op && q.answered !== 'throttled' && JSON.stringify(q.body ?? '').includes(name)).length

  /** Write log events into moto's CloudWatch Logs, where SageMaker writes a job's. */
  const putLogs = async (stream: string, messages: ReadonlyArray<string>, group = '/aws/sagemaker/TrainingJobs') => {
    const logs = new CloudWatchLogsClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((e: unknown) => {
        if ((e as { name?: string }).name !== 'ResourceAlreadyExistsException') throw e
      })
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
      const t = Date.now()
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: messages.map((message, i) => ({ message, timestamp: t + i })) }))
    } finally {
      logs.destroy()
    }
  }

  let stack: MotoStack | undefined

  beforeAll(async () => {
    stack = await startMotoStack()
    ;({ moto, proxy, dir, env } = stack)
    await createBucket(stack.s3, 'fault-bucket')
  })

  afterAll(async () => {
    await stack?.close()
  })

  it('throttled calls are retried by one layer only: --max-attempts sends a throttled create exactly that many times', async () => {
    // Default 3 attempts: two throttles, then the create gets through (3 requests, not 3 × the SDK's 3).
    proxy.throttle('CreateTrainingJob', 2)
    const r = await run([programFile('thr'), '--run-id', 'a1'])
    expect(r.code).toBe(0)
    expect(proxy.count('CreateTrainingJob', 'throttled')).toBe(2)
    expect(sentFor('CreateTrainingJob', 'thr-a1')).toBe(1)
    const before = proxy.count('CreateTrainingJob')
    // --max-attempts 3, throttled every time: exactly 3 requests reach the proxy, and the run says why it gave up.
    proxy.throttle('CreateTrainingJob', 10)
    const r3 = await run([programFile('thr3'), '--run-id', 'a3', '--max-attempts', '3'])
    expect(r3.code).not.toBe(0)
    expect(proxy.count('CreateTrainingJob') - before).toBe(3)
    expect(r3.out + r3.err).toMatch(/CreateTrainingJob.*ThrottlingException.*gave up after 3 attempts, --max-attempts sets how many/)
    // --max-attempts 1: exactly one request.
    proxy.throttle('CreateTrainingJob', 10)
    const r1 = await run([programFile('thr1'), '--run-id', 'a4', '--max-attempts', '1'])
    expect(r1.code).not.toBe(0)
    expect(proxy.count('CreateTrainingJob') - before).toBe(4)
    expect(r1.out + r1.err).toMatch(/gave up after 1 attempt, --max-attempts sets how many/)
    proxy.throttle('CreateTrainingJob', 0)
    // Describes are retried the same way: two throttles of DescribeModel within 3 attempts.
    proxy.throttle('DescribeModel', 2)
    const r2 = await run([programFile('thr2'), '--run-id', 'a2'])
    expect(r2.code).toBe(0)
    expect(proxy.count('DescribeModel', 'throttled')).toBe(2)
    expect(sentFor('CreateModel', 'model-a2')).toBe(1)
  })

  it('a job held InProgress is waited for; each status is printed once', async () => {
    proxy.hold('held-b1', 4)
    const r = await run([programFile('held'), '--run-id', 'b1'])
    expect(r.code).toBe(0)
    expect(sentFor('DescribeTrainingJob', 'held-b1')).toBeGreaterThanOrEqual(5)
    expect(lines(r.out, /^\S+ train: InProgress$/)).toHaveLength(1)
    expect(lines(r.out, /^\S+ train:   Starting/)).toHaveLength(1)
    expect(lines(r.out, /^\S+ train: Completed$/).length).toBeGreaterThanOrEqual(1)
    expect(r.out.indexOf('train: InProgress')).toBeLessThan(r.out.indexOf('train: Completed'))
  })

  it('a failed job fails the run with its reason, its last log lines and exit code 1; nothing downstream is created', async () => {
    await putLogs('failing-c1/algo-1-1700000000', ['epoch 3 loss=nan'])
    proxy.fail('failing-c1', 'AlgorithmError: loss is NaN at epoch 3')
    const file = programFile('failing')
    const r = await run([file, '--run-id', 'c1'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('failing-c1 ended Failed: AlgorithmError: loss is NaN at epoch 3')
    expect(lines(r.out, /^train \[algo-1-1700000000\] epoch 3 loss=nan$/)).toHaveLength(1)
    expect(sentFor('CreateModel', 'model-c1')).toBe(0)
    expect(sentFor('DescribeModel', 'model-c1')).toBe(0)
    // Resuming does not try it again unless asked; --retry-failed does, under a new name.
    const resumed = await run([file, '--resume', 'c1'])
    expect(resumed.code).toBe(1)
    expect(resumed.out).toContain('resume with --retry-failed')
    const retried = await run([file, '--resume', 'c1', '--retry-failed'])
    expect(retried.code).toBe(0)
    expect(sentFor('CreateTrainingJob', 'failing-c1-r2')).toBe(1)
    expect(sentFor('CreateModel', 'model-c1')).toBe(1)
  })

  it("the job's CloudWatch log lines are printed once each, with their host", async () => {
    await putLogs('logged-d1/algo-1-1700000000', ['epoch 1 loss=0.5', 'epoch 2 loss=0.3'])
    await putLogs('logged-d1/algo-2-1700000000', ['worker ready'])
    // Held for a few polls, so the logs are read more than once.
    proxy.hold('logged-d1', 3)
    const r = await run([programFile('logged'), '--run-id', 'd1'])
    expect(r.code).toBe(0)
    expect(lines(r.out, /^train \[algo-1-1700000000\] epoch 1 loss=0\.5$/)).toHaveLength(1)
    expect(lines(r.out, /^train \[algo-1-1700000000\] epoch 2 loss=0\.3$/)).toHaveLength(1)
    expect(lines(r.out, /^train \[algo-2-1700000000\] worker ready$/)).toHaveLength(1)
    expect(proxy.count('GetLogEvents')).toBeGreaterThan(2)
    // --no-logs: none printed.
    const quiet = await run([programFile('logged'), '--run-id', 'd1', '--no-logs', '--state-dir', join(dir.path, 'quiet')])
    expect(lines(quiet.out, /^train \[/)).toHaveLength(0)
  })

  it("a transform job's log lines are printed too, with their instance", async () => {
    await putLogs('score-j1/i-0abc123-1700000000', ['scored 120 records'], '/aws/sagemaker/TransformJobs')
    const r = await run(['examples/batch-transform.ts', '--run-id', 'j1'])
    expect(r.code).toBe(0)
    expect(lines(r.out, /^score \[i-0abc123-1700000000\] scored 120 records$/)).toHaveLength(1)
  })

  /** Start the CLI as its own process, wait until it polls the held job, then send SIGINT. */
  const interrupt = async (args: ReadonlyArray<string>, job: string): Promise<{ code: number | null; out: string }> => {
    proxy.hold(job, Number.POSITIVE_INFINITY)
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cli.ts', 'run', ...args, '--target', 'aws', '--state-dir', join(dir.path, 'state')], {
      env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
    try {
      // The describe-by-name before the create, then at least one poll.
      await until(() => sentFor('DescribeTrainingJob', job) >= 2, 90_000, 'the CLI to poll the held job')
      child.kill('SIGINT')
      return { code: await exited, out }
    } finally {
      child.kill('SIGKILL')
    }
  }

  it('SIGINT mid-run leaves the job, prints the resume command; --resume finishes without duplicates', async () => {
    const file = programFile('sig')
    const { code, out } = await interrupt([file, '--run-id', 'e1'], 'sig-e1')
    expect(code).toBe(130)
    expect(out).toContain(`sagespec run ${file} --target aws --resume e1`)
    expect(sentFor('StopTrainingJob', 'sig-e1')).toBe(0)
    expect(sentFor('CreateModel', 'model-e1')).toBe(0)
    proxy.release('sig-e1')
    const resumed = await run([file, '--resume', 'e1'])
    expect(resumed.code).toBe(0)
    expect(resumed.out).toContain('Resuming run e1')
    // What was said before the interrupt is not said again.
    expect(lines(resumed.out, /^\S+ train: InProgress/)).toEqual([])
    expect(lines(resumed.out, /^\S+ train: Completed$/).length).toBeGreaterThanOrEqual(1)
    expect(sentFor('CreateTrainingJob', 'sig-e1')).toBe(1)
    expect(sentFor('CreateModel', 'model-e1')).toBe(1)
  }, 120_000)

  it('SIGINT with --stop-on-interrupt stops the job and waits until it has stopped', async () => {
    const file = programFile('stop')
    const { code, out } = await interrupt([file, '--run-id', 'e2', '--stop-on-interrupt'], 'stop-e2')
    expect(code).toBe(130)
    expect(out).toContain('train: stopping stop-e2')
    expect(sentFor('StopTrainingJob', 'stop-e2')).toBe(1)
    expect(sentFor('CreateModel', 'model-e2')).toBe(0)
    const journal = JSON.parse(readFileSync(join(dir.path, 'state', 'runs', 'e2', 'steps', 'train.json'), 'utf8')) as { status: string }
    expect(journal.status).toBe('Stopped')
  }, 120_000)

  it('an endpoint that does not answer is one clear line', async () => {
    const port = await freePort()
    const r = await runCli(['run', programFile('unreachable'), '--target', 'aws', '--run-id', 'f1', '--max-attempts', '1', '--state-dir', join(dir.path, 'state')], {
      ...env,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    })
    expect(r.code).toBe(1)
    expect(lines(r.out, /^error: /)).toEqual([expect.stringMatching(new RegExp(`^error: train: DescribeTrainingJob failed: Unreachable: cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`))])
  })

  it('an answer that is not an AWS response (an HTML error page) is one clear line', async () => {
    proxy.garble('CreateModel', 403)
    const r = await run([programFile('garbled'), '--run-id', 'i1'])
    expect(r.code).toBe(1)
    // The parenthesis holds the JSON parser's words, which depend on the Node version.
    expect(lines(r.out, /^error: /)).toEqual([
      expect.stringMatching(new RegExp(`^error: model: CreateModel failed: UnexpectedResponse: ${proxy.endpoint.replace(/\./g, '\\.')} answered HTTP 403 with a body that is not an AWS response \\(.+\\)$`)),
    ])
    expect(r.out).not.toContain('Deserialization error')
  })

  it('no credentials is one clear line, before anything is sent', async () => {
    const empty = join(dir.path, 'empty-config')
    writeFileSync(empty, '')
    const before = proxy.requests.length
    const r = await runCli(['run', programFile('nocreds'), '--target', 'aws', '--run-id', 'g1', '--state-dir', join(dir.path, 'state')], {
      ...env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: empty,
      AWS_SHARED_CREDENTIALS_FILE: empty,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    })
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^--target aws: no AWS credentials \(.*\): set AWS_PROFILE or --profile/)
    expect(r.err.split('\n')).toHaveLength(1)
    expect(proxy.requests.length).toBe(before)
  })

  it('a job that names an algorithm is checked against its DescribeAlgorithm description before it is created', async () => {
    const algorithm = 'arn:aws:sagemaker:us-west-2:111122223333:algorithm/trees'
    const file = join(dir.path, 'algorithm.json')
    const job = training('trees', {
      algorithmName: algorithm,
      role,
      resources: { instanceType: 'ml.m5.large' },
      output: { s3OutputPath: 's3://example-bucket/trees' },
      channels: { training: { uri: 's3://example-bucket/trees/train/', contentType: 'text/csv' } },
      hyperParameters: { criterion: 'entropy' },
      hyperParameterEncoding: 'plain',
    })
    writeFileSync(file, JSON.stringify(program(job)))
    const description = (types: ReadonlyArray<string>) => ({
      AlgorithmName: 'trees',
      AlgorithmArn: algorithm,
      TrainingSpecification: {
        TrainingImage: '111122223333.dkr.ecr.us-west-2.amazonaws.com/trees:1',
        SupportedHyperParameters: [{ Name: 'criterion', Type: 'Categorical', Range: { CategoricalParameterRangeSpecification: { Values: ['gini', 'entropy'] } } }],
        SupportedTrainingInstanceTypes: types,
        TrainingChannels: [{ Name: 'training', IsRequired: true, SupportedContentTypes: ['text/csv'], SupportedInputModes: ['File'] }],
      },
    })
    proxy.answer('DescribeAlgorithm', description(['ml.m5.xlarge']))
    const refused = await run([file, '--run-id', 'alg1'])
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('trees-alg1 does not fit arn:aws:sagemaker:us-west-2:111122223333:algorithm/trees as its DescribeAlgorithm description says: resources.instanceType: expected an instance type trees supports: ml.m5.xlarge, found "ml.m5.large"')
    expect(sentFor('CreateTrainingJob', 'trees-alg1')).toBe(0)
    proxy.answer('DescribeAlgorithm', description(['ml.m5.large']))
    const fits = await run([file, '--run-id', 'alg2'])
    expect(fits.code, fits.out + fits.err).toBe(0)
    const ops = proxy.requests.filter((q) => JSON.stringify(q.body ?? '').includes('trees')).map((q) => q.operation)
    expect(ops.lastIndexOf('DescribeAlgorithm')).toBeLessThan(ops.lastIndexOf('CreateTrainingJob'))
  })

  it('--profile reads the shared config files; --region overrides the region', async () => {
    const config = join(dir.path, 'aws-config')
    const credentials = join(dir.path, 'aws-credentials')
    writeFileSync(config, '[profile moto]\nregion = eu-west-1\n')
    writeFileSync(credentials, '[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n')
    const clean = {
      ...env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    const base = ['run', programFile('profiled'), '--target', 'aws', '--state-dir', join(dir.path, 'state'), '--profile', 'moto']
    const r = await runCli([...base, '--run-id', 'h1'], clean)
    expect(r.code).toBe(0)
    expect(r.out.split('\n')[0]).toBe(`Starting run h1 on AWS (eu-west-1, endpoint ${proxy.endpoint}) (2 steps)`)
    const r2 = await runCli([...base, '--run-id', 'h2', '--region', 'eu-central-1'], clean)
    expect(r2.code).toBe(0)
    expect(r2.out.split('\n')[0]).toContain('on AWS (eu-central-1,')
  })

  it.skipIf(models.models === undefined)(`every request the CLI sent passes the service-model check${models.skip === undefined ? '' : ` (skipped: ${models.skip})`}`, () => {
    expect(proxy.requests.filter((r) => r.service === 'logs').length).toBeGreaterThan(0)
    expect(modelViolations(models.models!, proxy.requests)).toEqual([])
  })
})
