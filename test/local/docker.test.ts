/**
 * The local backend on the Docker runtime, end to end: `sagespec run … --target local --runtime
 * docker` with the probe image (the container contract as SageMaker documents it, two hosts by name,
 * artifacts at the cloud's paths, metrics), failures and MaxRuntime through the backend, and one
 * script-mode program through both runtimes giving the same model and the same Describe keys.
 * Skipped with the reason where no engine answers and CI is not set; in CI a missing engine is an error.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { extract } from 'tar'
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker'
import { main } from '../../src/cli/main.js'
import type { Backend } from '../../src/interpret/execute/port.js'
import { createLocalBackend } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import { modelHandlers } from '../../src/local/models.js'
import { processRuntime } from '../../src/local/runtime/process.js'
import type { Runtime } from '../../src/local/runtime/runtime.js'
import { trainingHandlers } from '../../src/local/training.js'
import { PROBE_IMAGE, SCRIPT_MODE_IMAGE, dockerForTests } from '../support/docker.js'
import { scriptJob, stageScript, tempDir, waitEnded, type Local } from './support.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const ready = await dockerForTests()
const tag = randomBytes(3).toString('hex')

/** A local backend on `runtime`, its state in a fresh temp folder (removed by `close`). */
const backendOn = (runtime: Runtime, root = tempDir('docker-local')): Local => {
  const stateDir = join(root, 'state')
  const ctx = createContext({ stateDir, baseDir: root, runtime, region: 'us-west-2', stopGraceMs: 2000 })
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
})
