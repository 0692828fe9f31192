/**
 * The local backend on the Docker runtime, end to end: `sagespec run … --target local --runtime
 * docker` with the probe image (the container contract as SageMaker documents it, two hosts by name,
 * artifacts at the cloud's paths, metrics), failures and MaxRuntime through the backend, and one
 * script-mode program through both runtimes giving the same model and the same Describe keys.
 * Skipped with the reason where no engine answers and CI is not set; in CI a missing engine is an error.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extract } from 'tar'
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker'
import { main } from '../../src/cli/main.js'
import type { Backend } from '../../src/interpret/execute/port.js'
import { createLocalBackend } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import { modelHandlers } from '../../src/local/models.js'
import { processRuntime } from '../../src/local/runtime/process.js'
import type { Runtime } from '../../src/local/runtime/runtime.js'
import { trainingHandlers } from '../../src/local/training.js'
import { PROBE_IMAGE, SCRIPT_MODE_IMAGE, dockerForTests, eventually } from '../support/docker.js'
import { motoSkipReason, startMoto, type Moto } from '../support/moto.js'
import { scriptJob, stageScript, tempDir, waitEnded, type Local } from './support.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const ready = await dockerForTests()
const motoSkip = ready._tag === 'Ready' ? motoSkipReason() : undefined
const tag = randomBytes(3).toString('hex')

/** A local backend on `runtime`, its state in a fresh temp folder (removed by `close`). */
const backendOn = (runtime: Runtime, root = tempDir('docker-local'), env?: NodeJS.ProcessEnv): Local => {
  const stateDir = join(root, 'state')
  const ctx = createContext({ stateDir, baseDir: root, runtime, region: 'us-west-2', stopGraceMs: 2000, ...(env === undefined ? {} : { env }) })
  const backend: Backend = createLocalBackend(ctx, [trainingHandlers, modelHandlers])
  return {
    root,
    stateDir,
    backend,
    close: async () => {
      await backend.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

/** `sagespec …` in a child process (through tsx), so it can be interrupted or killed. */
const cli = (root: string, args: ReadonlyArray<string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } => {
  const entry = join(root, 'cli.mts')
  if (!existsSync(entry)) writeFileSync(entry, `import { main } from ${JSON.stringify(join(repo, 'src/cli/main.ts'))}\nprocess.exitCode = await main(process.argv.slice(2))\n`)
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  return { child, output: () => out, exit: new Promise((res) => child.once('exit', (code) => res(code))) }
}

/** A program of one probe step on two hosts that sleeps: long enough to be interrupted. */
const sleepyProgram = (dir: string, name: string): string => {
  mkdirSync(dir, { recursive: true })
  const program = join(dir, 'program.ts')
  writeFileSync(
    program,
    `import { program, training } from ${JSON.stringify(join(repo, 'src/index.ts'))}
export default program(training(${JSON.stringify(name)}, {
  image: ${JSON.stringify(PROBE_IMAGE)},
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  resources: { instanceType: 'ml.m5.large', instanceCount: 2 },
  output: { s3OutputPath: ${JSON.stringify(`file://${dir}/out`)} },
  hyperParameters: { sleep: 600 },
}))
`,
  )
  return program
}

/** The files of a .tar.gz, extracted into a fresh folder. */
const unpack = async (archive: string, into: string): Promise<string> => {
  mkdirSync(into, { recursive: true })
  await extract({ file: archive, cwd: into })
  return into
}

describe.skipIf(ready._tag === 'Skip')(`local backend on docker${ready._tag === 'Skip' ? ` (skipped: ${ready.reason})` : ''}`, () => {
  if (ready._tag === 'Skip') return
  const { runtime, docker } = ready
  const root = tempDir('docker-e2e')
  const opened: Local[] = []
  afterAll(async () => {
    for (const l of opened) await l.close()
    for (const id of ['c', 'k']) await runtime.sweep({ 'sagespec.job': `sleepy-${id}${tag}` })
    await runtime.sweep({ 'sagespec.test': tag })
    rmSync(root, { recursive: true, force: true })
  })

  /** Containers and networks of a job still on the engine. */
  const leftovers = async (job: string) => {
    const filters = JSON.stringify({ label: [`sagespec.job=${job}`] })
    return [...(await docker.listContainers({ all: true, filters })), ...(await docker.listNetworks({ filters }))]
  }

  it('sagespec run --target local --runtime docker: the probe sees the documented contract; two hosts by name; artifacts and metrics as in the cloud', async () => {
    const dir = join(root, 'cli')
    mkdirSync(join(dir, 'data'), { recursive: true })
    writeFileSync(join(dir, 'data', 'rows.csv'), '1,2\n3,4\n')
    const program = join(dir, 'program.ts')
    writeFileSync(
      program,
      `import { program, training } from ${JSON.stringify(join(repo, 'src/index.ts'))}
export default program(training('probe', {
  image: ${JSON.stringify(PROBE_IMAGE)},
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  resources: { instanceType: 'ml.m5.large', instanceCount: 2 },
  output: { s3OutputPath: ${JSON.stringify(`file://${dir}/out`)} },
  channels: { train: { uri: ${JSON.stringify(`file://${dir}/data`)}, contentType: 'text/csv' } },
  hyperParameters: { epochs: 3, print_metrics: 'loss=0.5|loss=0.25 acc=0.9' },
  metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }, { name: 'acc', regex: 'acc=([0-9.]+)' }],
  environment: { MY_SETTING: 'on' },
}))
`,
    )
    const state = join(dir, 'state')
    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    const code = await main(['run', program, '--target', 'local', '--runtime', 'docker', '--state-dir', state, '--run-id', `e2e${tag}`], io)
    const text = out.join('\n')
    expect(code, text).toBe(0)
    const job = `probe-e2e${tag}`
    expect(text).toContain('Local runtime: docker runtime (--runtime docker)')
    expect(text).toContain(`probe [algo-1] probe: recorded /opt/ml/model/probe.json on algo-1`)
    expect(text).toContain(`probe [algo-2] probe: recorded /opt/ml/model/probe.json on algo-2`)
    expect(text).toContain('metric:loss=0.25')
    expect(text).toContain('metric:acc=0.9')

    // Artifacts where the cloud puts them: <S3OutputPath>/<job>/output/model.tar.gz, contents at the root.
    const model = await unpack(join(dir, 'out', job, 'output', 'model.tar.gz'), join(dir, 'model'))
    const probe = JSON.parse(readFileSync(join(model, 'probe.json'), 'utf8'))
    expect(probe.argv).toEqual(['train'])
    expect(probe.hostname).toBe('algo-1')
    // The config files as the SageMaker developer guide documents them (values of hyperparameters.json are strings).
    expect(probe.config['hyperparameters.json']).toEqual({ epochs: '3', print_metrics: 'loss=0.5|loss=0.25 acc=0.9' })
    expect(probe.config['inputdataconfig.json']).toEqual({
      train: { ContentType: 'text/csv', TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
    })
    expect(probe.config['resourceconfig.json']).toEqual({
      current_host: 'algo-1',
      current_instance_type: 'ml.m5.large',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1', 'algo-2'],
      instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: 'ml.m5.large', hosts: ['algo-1', 'algo-2'] }],
      network_interface_name: 'eth0',
    })
    expect(probe.env).toMatchObject({ TRAINING_JOB_NAME: job, MY_SETTING: 'on' })
    expect(probe.tree).toEqual(expect.arrayContaining(['input/config/', 'input/data/train/rows.csv', 'model/', 'output/']))
    expect(probe.channels.train).toEqual({ files: ['./', 'rows.csv'], writable: false })
    expect(probe.peers['algo-2']).toMatchObject({ reached: true })
    expect(probe.reached_by).toEqual(['algo-2'])

    // The Describe response, read back from the run's state as a later command would.
    const later = backendOn(processRuntime({ dir: join(state, 'local', 'processes') }), dir)
    const d = await later.backend.send('DescribeTrainingJob', { TrainingJobName: job })
    await later.backend.close()
    expect(d.TrainingJobStatus).toBe('Completed')
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe(`file://${dir}/out/${job}/output/model.tar.gz`)
    expect(d.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([
      ['loss', 0.25],
      ['acc', 0.9],
    ])
    expect(d.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'])
    expect(await leftovers(job)).toEqual([])
  })

  /** The running containers of a job, once there are `n` of them. */
  const running = (job: string, n: number, what: () => string) =>
    eventually(`${n} running containers of ${job}`, async () => {
      const cs = await docker.listContainers({ filters: JSON.stringify({ label: [`sagespec.job=${job}`], status: ['running'] }) })
      return cs.length === n ? cs : undefined
    }).catch((e: Error) => {
      throw new Error(`${e.message}; the command said: ${what()}`)
    })

  it('Ctrl-C stops the running job: the command exits 130, the job is Stopped, and no container or network of it is left', async () => {
    const dir = join(root, 'ctrlc')
    const run = cli(root, ['run', sleepyProgram(dir, 'sleepy'), '--target', 'local', '--runtime', 'docker', '--state-dir', join(dir, 'state'), '--run-id', `c${tag}`])
    await running(`sleepy-c${tag}`, 2, run.output)
    run.child.kill('SIGINT')
    expect(await run.exit, run.output()).toBe(130)
    expect(await leftovers(`sleepy-c${tag}`)).toEqual([])
    const job = JSON.parse(readFileSync(join(dir, 'state', `local/training-jobs/sleepy-c${tag}.json`), 'utf8'))
    expect(job.describe.TrainingJobStatus).toBe('Stopped')
  })

  it('after kill -9 of the command its containers run on; the next command finds the job orphaned and removes them', async () => {
    const dir = join(root, 'killed')
    const program = sleepyProgram(dir, 'sleepy')
    const state = join(dir, 'state')
    const first = cli(root, ['run', program, '--target', 'local', '--runtime', 'docker', '--state-dir', state, '--run-id', `k${tag}`])
    await running(`sleepy-k${tag}`, 2, first.output)
    first.child.kill('SIGKILL')
    await first.exit
    expect(await leftovers(`sleepy-k${tag}`)).not.toEqual([])

    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    const resumed = await main(['run', program, '--target', 'local', '--runtime', 'docker', '--state-dir', state, '--resume', `k${tag}`], io)
    expect(resumed).toBe(1)
    expect(out.join('\n')).toMatch(/ended Failed: InternalServerError: the sagespec command that ran this local job \(pid \d+\) ended before the job finished/)
    expect(await leftovers(`sleepy-k${tag}`)).toEqual([])
  })

  it("reports the failure file's text as the FailureReason, and stops a job at MaxRuntimeInSeconds", async () => {
    const local = backendOn(runtime)
    opened.push(local)
    const byo = (name: string, hps: Record<string, string>, maxRuntime = 600): CreateTrainingJobCommandInput => ({
      TrainingJobName: name,
      AlgorithmSpecification: { TrainingImage: PROBE_IMAGE, TrainingInputMode: 'File' },
      RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
      OutputDataConfig: { S3OutputPath: 'file://out' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: maxRuntime },
      HyperParameters: hps,
      Tags: [{ Key: 'sagespec:test', Value: tag }],
    })
    await local.backend.send('CreateTrainingJob', byo(`fails-${tag}`, { fail: 'ValueError: the label column is missing' }))
    await local.backend.send('CreateTrainingJob', byo(`sleeps-${tag}`, { sleep: '600' }, 1))

    const failed = await waitEnded(local.backend, `fails-${tag}`)
    expect(failed.TrainingJobStatus).toBe('Failed')
    // As the cloud words it: the failure file's text after the kind of error.
    expect(failed.FailureReason).toBe('AlgorithmError: ValueError: the label column is missing')

    const stopped = await waitEnded(local.backend, `sleeps-${tag}`, 60_000)
    expect(stopped.TrainingJobStatus).toBe('Stopped')
    expect(stopped.SecondaryStatus).toBe('MaxRuntimeExceeded')
    // The probe wrote its record before sleeping: the model is still saved, as in the cloud.
    expect(stopped.ModelArtifacts?.S3ModelArtifacts).toBe(`file://out/sleeps-${tag}/output/model.tar.gz`)
    expect(await leftovers(`fails-${tag}`)).toEqual([])
    expect(await leftovers(`sleeps-${tag}`)).toEqual([])
  })

  it('one script-mode program through the process runtime and through a container of the same script: same model bytes, same Describe keys', async () => {
    const script = readFileSync(join(repo, 'examples/local/train.py'), 'utf8')
    const data = join(repo, 'examples/local/data')
    const runOn = async (which: string, rt: Runtime) => {
      const local = backendOn(rt)
      opened.push(local)
      const code = stageScript(local, 'code', { 'train.py': script })
      const name = `same-${which}-${tag}`
      await local.backend.send(
        'CreateTrainingJob',
        scriptJob(name, code, {
          AlgorithmSpecification: { TrainingImage: SCRIPT_MODE_IMAGE, TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'train:mse', Regex: 'mse=([0-9.]+)' }] },
          HyperParameters: { epochs: '50', lr: '0.1' },
          InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { FileDataSource: { FileUri: `file://${data}`, FileDataDistributionType: 'FullyReplicated' } } as never }],
          Tags: [{ Key: 'sagespec:test', Value: tag }],
        }),
      )
      const d = await waitEnded(local.backend, name, 60_000)
      expect(d.FailureReason).toBeUndefined()
      const model = await unpack(join(local.root, 'out', name, 'output', 'model.tar.gz'), join(local.root, 'model'))
      return { d, model }
    }
    const onProcess = await runOn('process', processRuntime({ dir: join(root, 'processes') }))
    const onDocker = await runOn('docker', runtime)

    // Every file of the model, with its bytes.
    const modelFiles = (dir: string) =>
      Object.fromEntries(
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name)).toString('base64')]),
      )
    expect(Object.keys(modelFiles(onProcess.model))).toEqual(['model.json'])
    expect(modelFiles(onDocker.model)).toEqual(modelFiles(onProcess.model))
    expect(Object.keys(onDocker.d).sort()).toEqual(Object.keys(onProcess.d).sort())
    expect(onDocker.d.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual(onProcess.d.FinalMetricDataList?.map((m) => [m.MetricName, m.Value]))
  })
  describe.skipIf(motoSkip !== undefined)(`s3:// data${motoSkip === undefined ? '' : ` (skipped: ${motoSkip})`}`, () => {
    let moto: Moto
    let s3: S3Client
    beforeAll(async () => {
      moto = await startMoto()
      s3 = new S3Client({ region: 'us-west-2', endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
      await s3.send(new CreateBucketCommand({ Bucket: 'data', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }))
      for (const k of ['train/a.csv', 'train/b.csv', 'train/c.csv']) await s3.send(new PutObjectCommand({ Bucket: 'data', Key: k, Body: k }))
      // The SDK's default chain reads credentials from process.env: moto's, for these tests only.
      for (const [k, v] of Object.entries(moto.env)) {
        saved.set(k, process.env[k])
        process.env[k] = v
      }
    })
    const saved = new Map<string, string | undefined>()
    afterAll(async () => {
      for (const [k, v] of saved) if (v === undefined) delete process.env[k]
      else process.env[k] = v
      await moto?.stop()
      s3?.destroy()
    })

    it("downloads s3:// channels for the containers (sharded by key across two hosts) and uploads the model to the cloud's path", async () => {
      // The backend reads the endpoint and credentials from the environment it is given, like any SDK client.
      const local = backendOn(runtime, undefined, { ...process.env, ...moto.env, AWS_ENDPOINT_URL_S3: moto.endpoint })
      opened.push(local)
      const name = `s3-${tag}`
      await local.backend.send('CreateTrainingJob', {
        TrainingJobName: name,
        AlgorithmSpecification: { TrainingImage: PROBE_IMAGE, TrainingInputMode: 'File' },
        RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
        OutputDataConfig: { S3OutputPath: 's3://data/models' },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
        InputDataConfig: [
          { ChannelName: 'full', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/', S3DataDistributionType: 'FullyReplicated' } } },
          { ChannelName: 'shard', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/', S3DataDistributionType: 'ShardedByS3Key' } } },
        ],
        Tags: [{ Key: 'sagespec:test', Value: tag }],
      })
      const d = await waitEnded(local.backend, name, 60_000)
      expect(d.FailureReason).toBeUndefined()
      expect(d.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://data/models/${name}/output/model.tar.gz`)
      const seen = (host: string) => JSON.parse(readFileSync(join(local.stateDir, 'local/training-jobs', name, host, 'model/probe.json'), 'utf8'))
      expect(seen('algo-1').channels).toEqual({ full: { files: ['./', 'a.csv', 'b.csv', 'c.csv'], writable: true }, shard: { files: ['./', 'a.csv', 'c.csv'], writable: true } })
      expect(seen('algo-2').channels).toEqual({ full: { files: ['./', 'a.csv', 'b.csv', 'c.csv'], writable: true }, shard: { files: ['./', 'b.csv'], writable: true } })
      const model = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: `models/${name}/output/model.tar.gz` }))
      const archive = join(local.root, 'model.tar.gz')
      writeFileSync(archive, await model.Body!.transformToByteArray())
      const files = await unpack(archive, join(local.root, 'model'))
      expect(JSON.parse(readFileSync(join(files, 'probe.json'), 'utf8')).hostname).toBe('algo-1')
      expect(await leftovers(name)).toEqual([])
    })
  })
})
