import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { list } from 'tar'
import { isNotFound } from '../../src/interpret/plan/operations.js'
import { eventually, gone, localBackend, readJsonFile, scriptJob, stageScript, waitEnded, type Local } from './support.js'

const PROBE = `
import json, os, sys
out = os.environ["PROBE_OUT"]
cfg = os.environ["SM_INPUT_CONFIG_DIR"]
def raw(name):
    with open(os.path.join(cfg, name)) as f:
        return f.read()
with open(out, "w") as f:
    json.dump({
        "argv": sys.argv,
        "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items() if k.startswith("SM_") or k in ("TRAINING_JOB_NAME", "AWS_REGION", "MY_SETTING")},
        "files": {n: raw(n) for n in ("hyperparameters.json", "inputdataconfig.json", "resourceconfig.json")},
        "train": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])),
        "code": sorted(os.listdir(".")),
    }, f)
os.makedirs(os.path.join(os.environ["SM_MODEL_DIR"], "sub"), exist_ok=True)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("weights")
with open(os.path.join(os.environ["SM_MODEL_DIR"], "sub", "more.txt"), "w") as f:
    f.write("more")
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt"), "w") as f:
    f.write("report")
print("epoch 1 loss=0.5")
print("epoch 2 loss=0.25 acc=0.9")
`

let local: Local
beforeAll(() => {
  local = localBackend()
  mkdirSync(join(local.root, 'data'), { recursive: true })
  writeFileSync(join(local.root, 'data', 'a.csv'), '1,2\n')
  writeFileSync(join(local.root, 'data', 'b.csv'), '3,4\n')
})
afterAll(() => local.close())

describe('local training (process runtime)', () => {
  it('writes the contract files as SageMaker does, gives the script the toolkit environment and arguments, and places artifacts where the cloud does', async () => {
    const code = stageScript(local, 'probe', { 'train.py': PROBE, 'helper.py': '' })
    const probe = join(local.root, 'probe.json')
    await local.backend.send(
      'CreateTrainingJob',
      scriptJob('probe-1', code, {
        HyperParameters: { epochs: '5', lr: '0.1', optimizer: '"adam"', verbose: 'true', b: '1.0' },
        InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { FileDataSource: { FileUri: 'file://data', FileDataDistributionType: 'FullyReplicated' } } as never }],
        Environment: { MY_SETTING: 'on', PROBE_OUT: probe },
        AlgorithmSpecification: { TrainingImage: 'x', TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }, { Name: 'acc', Regex: 'acc=(?P<v>[0-9.]+)' }, { Name: 'never', Regex: 'nope=([0-9]+)' }] },
      }),
    )
    const d = await waitEnded(local.backend, 'probe-1')
    expect(d.FailureReason).toBeUndefined()
    expect(d.TrainingJobStatus).toBe('Completed')
    const p = readJsonFile(probe)
    const optMl = join(local.stateDir, 'local', 'training-jobs', 'probe-1', 'algo-1')

    // Config files, byte for byte.
    expect(p.files['hyperparameters.json']).toBe(
      '{"sagemaker_program":"\\"train.py\\"","sagemaker_submit_directory":"\\"/opt/ml/code\\"","sagemaker_region":"\\"us-west-2\\"","sagemaker_container_log_level":"20","epochs":"5","lr":"0.1","optimizer":"\\"adam\\"","verbose":"true","b":"1.0"}',
    )
    expect(p.files['inputdataconfig.json']).toBe('{"train":{"ContentType":"text/csv","TrainingInputMode":"File","S3DistributionType":"FullyReplicated","RecordWrapperType":"None"}}')
    expect(p.files['resourceconfig.json']).toBe(
      '{"current_host":"algo-1","current_instance_type":"ml.m5.large","current_group_name":"homogeneousCluster","hosts":["algo-1"],"instance_groups":[{"instance_group_name":"homogeneousCluster","instance_type":"ml.m5.large","hosts":["algo-1"]}],"network_interface_name":"eth0"}',
    )

    // Arguments as the toolkit's to_cmd_args: sorted, one-letter names with one dash, Python's str().
    expect(p.argv).toEqual(['train.py', '-b', '1.0', '--epochs', '5', '--lr', '0.1', '--optimizer', 'adam', '--verbose', 'True'])
    expect(p.cwd).toBe(join(local.stateDir, 'local', 'training-jobs', 'probe-1', 'code'))
    expect(p.code).toEqual(['helper.py', 'train.py'])
    expect(p.train).toEqual(['a.csv', 'b.csv'])
    expect(p.env).toMatchObject({
      TRAINING_JOB_NAME: 'probe-1',
      AWS_REGION: 'us-west-2',
      MY_SETTING: 'on',
      SM_MODEL_DIR: join(optMl, 'model'),
      SM_OUTPUT_DATA_DIR: join(optMl, 'output/data'),
      SM_OUTPUT_DIR: join(optMl, 'output'),
      SM_INPUT_DIR: join(optMl, 'input'),
      SM_INPUT_CONFIG_DIR: join(optMl, 'input/config'),
      SM_CHANNELS: '["train"]',
      SM_CHANNEL_TRAIN: join(optMl, 'input/data/train'),
      SM_HOSTS: '["algo-1"]',
      SM_CURRENT_HOST: 'algo-1',
      SM_NUM_GPUS: '0',
      // Floats stay floats, as Python's json.dumps writes them.
      SM_HPS: '{"b":1.0,"epochs":5,"lr":0.1,"optimizer":"adam","verbose":true}',
      SM_HP_B: '1.0',
      SM_HP_VERBOSE: 'true',
      SM_HP_EPOCHS: '5',
      SM_HP_OPTIMIZER: 'adam',
      SM_USER_ARGS: '["-b","1.0","--epochs","5","--lr","0.1","--optimizer","adam","--verbose","True"]',
      SM_MODULE_DIR: join(local.stateDir, 'local', 'training-jobs', 'probe-1', 'code'),
      SM_MODULE_NAME: 'train',
      SM_USER_ENTRY_POINT: 'train.py',
    })
    expect(Number(p.env.SM_NUM_CPUS)).toBeGreaterThan(0)
    const training = JSON.parse(p.env.SM_TRAINING_ENV)
    expect(training).toMatchObject({ current_host: 'algo-1', hosts: ['algo-1'], job_name: 'probe-1', hyperparameters: { epochs: 5, optimizer: 'adam' }, channel_input_dirs: { train: join(optMl, 'input/data/train') } })

    // Artifacts: <S3OutputPath>/<job>/output/{model,output}.tar.gz, contents at the archive root.
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe('file://out/probe-1/output/model.tar.gz')
    const entries = async (f: string) => {
      const names: string[] = []
      await list({ file: f, onReadEntry: (e) => void names.push(e.path) })
      return names.sort()
    }
    expect(await entries(join(local.root, 'out/probe-1/output/model.tar.gz'))).toEqual(['model.txt', 'sub/', 'sub/more.txt'])
    expect(await entries(join(local.root, 'out/probe-1/output/output.tar.gz'))).toEqual(['report.txt'])

    // Metrics: each definition's last value; a definition never matched is left out.
    expect(d.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([
      ['loss', 0.25],
      ['acc', 0.9],
    ])
    expect(d.FinalMetricDataList?.[0]?.Timestamp).toBeInstanceOf(Date)

    // The cloud's Describe shape.
    expect(d.TrainingJobArn).toBe('arn:aws:sagemaker:us-west-2:000000000000:training-job/probe-1')
    expect(d.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'])
    for (const t of d.SecondaryStatusTransitions ?? []) {
      expect(t.StartTime).toBeInstanceOf(Date)
      expect(t.EndTime).toBeInstanceOf(Date)
      expect(t.StatusMessage).not.toBe('')
    }
    expect(d.CreationTime).toBeInstanceOf(Date)
    expect(d.TrainingStartTime).toBeInstanceOf(Date)
    expect(d.TrainingEndTime).toBeInstanceOf(Date)
    expect(d.HyperParameters?.['epochs']).toBe('5')
    expect(d.ResourceConfig?.InstanceCount).toBe(1)
    expect(d.StoppingCondition?.MaxRuntimeInSeconds).toBe(600)
    expect(d.RoleArn).toBe('arn:aws:iam::111122223333:role/SageMakerRole')

    // Logs, through the port.
    const logs = await local.backend.logs!('Training', 'probe-1', undefined)
    expect(logs.lines.map((l) => `${l.host} ${l.line}`)).toEqual(['algo-1 epoch 1 loss=0.5', 'algo-1 epoch 2 loss=0.25 acc=0.9'])
    expect((await local.backend.logs!('Training', 'probe-1', logs.cursor)).lines).toEqual([])
  })

  it('answers like SageMaker for a job that does not exist and refuses a second job of the same name', async () => {
    const e = await local.backend.send('DescribeTrainingJob', { TrainingJobName: 'no-such-job' }).catch((x: unknown) => x)
    expect(isNotFound(e)).toBe(true)
    const code = stageScript(local, 'ok', { 'train.py': 'print("ok")\n' })
    await local.backend.send('CreateTrainingJob', scriptJob('twice', code))
    const again = await local.backend.send('CreateTrainingJob', scriptJob('twice', code)).catch((x: unknown) => x)
    expect((again as Error).name).toBe('ResourceInUse')
    const escaping = await local.backend
      .send('CreateTrainingJob', scriptJob('escape', code, { InputDataConfig: [{ ChannelName: '..', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/x' } } }] }))
      .catch((x: unknown) => x)
    expect((escaping as Error).name).toBe('ValidationException')
    expect((await waitEnded(local.backend, 'twice')).TrainingJobStatus).toBe('Completed')
    const listed = await local.backend.send('ListTrainingJobs', { NameContains: 'twice' })
    expect(listed.TrainingJobSummaries?.map((s) => [s.TrainingJobName, s.TrainingJobStatus])).toEqual([['twice', 'Completed']])
  })

  it("reports the failure file's text as the FailureReason", async () => {
    const code = stageScript(local, 'fails', {
      'train.py': 'import os, sys\nopen(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w").write("ValueError: the label column is missing")\nsys.exit(2)\n',
    })
    await local.backend.send('CreateTrainingJob', scriptJob('fails-1', code))
    const d = await waitEnded(local.backend, 'fails-1')
    expect(d.TrainingJobStatus).toBe('Failed')
    expect(d.SecondaryStatus).toBe('Failed')
    expect(d.FailureReason).toBe('AlgorithmError: ValueError: the label column is missing')
    expect(d.ModelArtifacts).toBeUndefined()
  })

  it('reports a non-zero exit with its last lines, and exit 137 as running out of memory', async () => {
    const code = stageScript(local, 'exits', { 'train.py': 'import sys\nprint("loading")\nprint("boom", file=sys.stderr)\nsys.exit(3)\n' })
    await local.backend.send('CreateTrainingJob', scriptJob('exit-3', code))
    expect((await waitEnded(local.backend, 'exit-3')).FailureReason).toBe('AlgorithmError: algo-1 exited with code 3; last output: loading | boom')
    const killed = stageScript(local, 'oom', { 'train.py': 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n' })
    await local.backend.send('CreateTrainingJob', scriptJob('oom-1', killed))
    const d = await waitEnded(local.backend, 'oom-1')
    expect(d.TrainingJobStatus).toBe('Failed')
    expect(d.FailureReason).toMatch(/^OutOfMemoryError: algo-1 was killed \(exit code 137\), most likely out of memory/)
  })

  it('stops a job that runs past MaxRuntimeInSeconds: Stopped, MaxRuntimeExceeded, its model still saved', async () => {
    const code = stageScript(local, 'slow', {
      'train.py': 'import os, time\nopen(os.path.join(os.environ["SM_MODEL_DIR"], "partial.txt"), "w").write("x")\nprint("started", flush=True)\ntime.sleep(60)\n',
    })
    await local.backend.send('CreateTrainingJob', scriptJob('slow-1', code, { StoppingCondition: { MaxRuntimeInSeconds: 1 } }))
    const d = await waitEnded(local.backend, 'slow-1')
    expect(d.TrainingJobStatus).toBe('Stopped')
    expect(d.SecondaryStatus).toBe('MaxRuntimeExceeded')
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe('file://out/slow-1/output/model.tar.gz')
    expect(existsSync(join(local.root, 'out/slow-1/output/model.tar.gz'))).toBe(true)
  })

  it('StopTrainingJob ends the whole process group: no process of the job is left', async () => {
    const pids = join(local.root, 'pids.txt')
    const code = stageScript(local, 'tree', {
      'train.py': `import os, subprocess, time\nchild = subprocess.Popen(["sleep", "60"])\nopen(${JSON.stringify(pids)}, "w").write(f"{os.getpid()} {child.pid}")\ntime.sleep(60)\n`,
    })
    await local.backend.send('CreateTrainingJob', scriptJob('tree-1', code))
    const [main, child] = await eventually(() => (existsSync(pids) && readFileSync(pids, 'utf8').includes(' ') ? readFileSync(pids, 'utf8').split(' ').map(Number) : undefined), 20_000, 'the job to start')
    expect(gone(main!)).toBe(false)
    await local.backend.send('StopTrainingJob', { TrainingJobName: 'tree-1' })
    const d = await waitEnded(local.backend, 'tree-1')
    expect(d.TrainingJobStatus).toBe('Stopped')
    expect(d.SecondaryStatusTransitions?.map((t) => t.Status)).toContain('Stopping')
    await eventually(() => (gone(main!) && gone(child!) ? true : undefined), 10_000, 'the processes to end')
    const again = await local.backend.send('StopTrainingJob', { TrainingJobName: 'tree-1' }).catch((x: unknown) => x)
    expect((again as Error).name).toBe('ValidationException')
  })

  it('a job stopped right after it was created ends Stopped, whatever phase the stop finds it in', async () => {
    const code = stageScript(local, 'quick-stop', { 'train.py': 'import time\ntime.sleep(60)\n' })
    await local.backend.send('CreateTrainingJob', scriptJob('stop-early', code))
    await local.backend.send('StopTrainingJob', { TrainingJobName: 'stop-early' })
    const d = await waitEnded(local.backend, 'stop-early')
    expect([d.TrainingJobStatus, d.SecondaryStatus]).toEqual(['Stopped', 'Stopped'])
    expect(d.TrainingEndTime).toBeInstanceOf(Date)
  })

  it('refuses an archive whose entries leave the code folder, and fails the job with the reason', async () => {
    const { create } = await import('tar')
    const evil = join(local.root, 'evil')
    mkdirSync(join(evil, 'inner'), { recursive: true })
    writeFileSync(join(evil, 'x.py'), 'print(1)\n')
    const file = join(local.root, 'evil.tar.gz')
    // A path with "..", written with preservePaths so tar keeps it as given.
    await create({ gzip: true, file, cwd: join(evil, 'inner'), preservePaths: true }, ['../x.py'])
    await local.backend.send('CreateTrainingJob', scriptJob('evil-1', `file://${file}`))
    const d = await waitEnded(local.backend, 'evil-1')
    expect(d.TrainingJobStatus).toBe('Failed')
    expect(d.FailureReason).toMatch(/^ClientError: code archive .* is refused, it would write outside .*: \.\.\/x\.py: a "\.\." path component/)
    await local.backend.send('CreateTrainingJob', scriptJob('no-code', `file://${join(local.root, 'missing.tar.gz')}`))
    expect((await waitEnded(local.backend, 'no-code')).FailureReason).toMatch(/^ClientError: cannot read the code archive file:\/\/.*missing\.tar\.gz/)
  })
})
