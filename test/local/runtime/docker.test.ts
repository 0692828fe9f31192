/**
 * The Docker runtime against a real engine, with the probe image and `/opt/ml` folders prepared here
 * by hand (as the local backend prepares them). Skipped with the reason where no engine answers and CI
 * is not set; in CI a missing engine is an error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { containerName, createDockerRuntime, networkName } from '../../../src/local/runtime/docker.js'
import { missingImageMessage } from '../../../src/local/runtime/messages.js'
import type { HostExit, HostSpec, JobSpec, Mount } from '../../../src/local/runtime/runtime.js'
import { PROBE_IMAGE, SCRIPT_MODE_IMAGE, dockerForTests, eventually, tempFolder } from '../../support/docker.js'

const ready = await dockerForTests()
const run = `test-${randomBytes(4).toString('hex')}`
const labelsOf = (step: string, job: string) => ({ 'sagespec.run': run, 'sagespec.step': step, 'sagespec.job': job })
const folder = ready._tag === 'Ready' ? tempFolder('docker') : undefined

/** `/opt/ml` for one host of a job, with the config files SageMaker writes. */
const optMlFor = (job: string, host: string, hosts: ReadonlyArray<string>, hyperParameters: Record<string, string>, channels: ReadonlyArray<string> = []): string => {
  const optMl = join(folder!.path, job, host)
  for (const d of ['input/config', 'model', 'output/data', 'checkpoints', ...channels.map((c) => `input/data/${c}`)])
    mkdirSync(join(optMl, d), { recursive: true })
  writeFileSync(join(optMl, 'input/config/hyperparameters.json'), JSON.stringify(hyperParameters))
  writeFileSync(join(optMl, 'input/config/resourceconfig.json'), JSON.stringify({ current_host: host, hosts, network_interface_name: 'eth0' }))
  writeFileSync(
    join(optMl, 'input/config/inputdataconfig.json'),
    JSON.stringify(Object.fromEntries(channels.map((c) => [c, { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' }]))),
  )
  return optMl
}

const jobOf = (id: string, hosts: ReadonlyArray<HostSpec>, extra: Partial<JobSpec> = {}): JobSpec => ({
  id,
  mode: 'train',
  image: PROBE_IMAGE,
  hosts,
  labels: labelsOf('step', id),
  gpu: false,
  ...extra,
})

const oneHost = (id: string, hyperParameters: Record<string, string>, mounts: ReadonlyArray<Mount> = [], env: Record<string, string> = {}): HostSpec => ({
  host: 'algo-1',
  optMl: optMlFor(id, 'algo-1', ['algo-1'], hyperParameters, mounts.flatMap((m) => (m.target.startsWith('/opt/ml/input/data/') ? [m.target.split('/').pop()!] : []))),
  mounts,
  env: { TRAINING_JOB_NAME: id, ...env },
})

const probeOf = (optMl: string) => JSON.parse(readFileSync(join(optMl, 'model/probe.json'), 'utf8')) as {
  argv: string[]
  env: Record<string, string>
  hostname: string
  tree: string[]
  config: Record<string, unknown>
  channels: Record<string, { files: string[]; writable: boolean }>
  model_writable: boolean
  peers: Record<string, { address: string | null; reached: boolean }>
  reached_by: string[]
}

const id = (what: string) => `${run}-${what}`

describe.skipIf(ready._tag === 'Skip')(`docker runtime${ready._tag === 'Skip' ? ` (skipped: ${ready.reason})` : ''}`, () => {
  if (ready._tag === 'Skip') return
  const { runtime, docker } = ready

  /** What of this test run is still on the engine. */
  const leftovers = async (job?: string) => {
    const filters = JSON.stringify({ label: ['sagespec=1', `sagespec.run=${run}`, ...(job !== undefined ? [`sagespec.job=${job}`] : [])] })
    const containers = await docker.listContainers({ all: true, filters })
    const networks = await docker.listNetworks({ filters })
    return [...containers.map((c) => c.Names.join(',')), ...networks.map((n) => n.Name)]
  }

  afterAll(async () => {
    await runtime.sweep({ 'sagespec.run': run })
    await runtime.close()
    folder?.remove()
  })

  it('runs the image with `train`, /opt/ml and its config files, the env and read-only channels', async () => {
    const data = join(folder!.path, 'train-data')
    mkdirSync(data)
    writeFileSync(join(data, 'rows.csv'), '1,2\n')
    const host = oneHost(id('contract'), { epochs: '3' }, [{ source: data, target: '/opt/ml/input/data/train', readOnly: true }], { FOO: 'bar baz' })
    const lines: string[] = []
    const handle = await runtime.start(jobOf(id('contract'), [host]), (h, line) => lines.push(`${h}|${line}`))
    const exits = await handle.exited

    expect(exits).toEqual([{ host: 'algo-1', exitCode: 0, oomKilled: false }])
    const probe = probeOf(host.optMl)
    expect(probe.argv).toEqual(['train'])
    expect(probe.hostname).toBe('algo-1')
    expect(probe.env).toMatchObject({ TRAINING_JOB_NAME: id('contract'), FOO: 'bar baz' })
    expect(probe.config).toEqual({
      'hyperparameters.json': { epochs: '3' },
      'inputdataconfig.json': { train: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' } },
      'resourceconfig.json': { current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' },
    })
    expect(probe.tree).toEqual(expect.arrayContaining(['input/config/', 'model/', 'output/data/', 'checkpoints/', 'input/data/train/rows.csv']))
    expect(probe.channels['train']).toEqual({ files: ['./', 'rows.csv'], writable: false })
    expect(probe.model_writable).toBe(true)
    // stdout and stderr both arrive, line by line, with the host.
    expect(lines).toEqual(expect.arrayContaining(['algo-1|probe: recorded /opt/ml/model/probe.json on algo-1', 'algo-1|probe: to stderr']))
    expect(await leftovers(id('contract'))).toEqual([])
  })

  it('labels its containers, runs them with --init, and stops a sleeping job: exited resolves and nothing is left', async () => {
    const job = jobOf(id('sleep'), [oneHost(id('sleep'), { sleep: '600' })])
    const handle = await runtime.start(job, () => undefined)
    const info = await docker.getContainer(containerName(job.id, 'algo-1')).inspect()
    expect(info.Config.Labels).toMatchObject({ ...labelsOf('step', job.id), sagespec: '1', 'sagespec.host': 'algo-1' })
    expect(info.HostConfig.Init).toBe(true)
    expect(info.Config.Cmd).toEqual(['train'])

    await handle.stop(5_000)
    const exits = await handle.exited
    // SIGTERM through the init process: the program ends by the signal (128 + 15), not by the kill after the grace.
    expect(exits).toEqual([{ host: 'algo-1', exitCode: 143, oomKilled: false }])
    expect(await leftovers(job.id)).toEqual([])
    await expect(handle.stop()).resolves.toBeUndefined()
  })

  it('closing the runtime (the command ends) removes the jobs still running, and refuses new ones', async () => {
    const own = await createDockerRuntime()
    if ('unavailable' in own) throw new Error(own.unavailable)
    const hosts = ['algo-1', 'algo-2']
    const job = jobOf(
      id('closed'),
      hosts.map((h) => ({ host: h, optMl: optMlFor(id('closed'), h, hosts, { sleep: '600' }), mounts: [], env: {} })),
    )
    const handle = await own.start(job, () => undefined)
    await own.close()
    expect((await handle.exited).map((e) => e.host)).toEqual(hosts)
    expect(await leftovers(job.id)).toEqual([])
    await expect(own.start(jobOf(id('after-close'), [oneHost(id('after-close'), {})]), () => undefined)).rejects.toThrow(/closed/)
    expect(await leftovers(id('after-close'))).toEqual([])
  })

  it('runs a 2-host job on a network of its own where the hosts resolve and reach each other by name', async () => {
    const hosts = ['algo-1', 'algo-2']
    const job = jobOf(
      id('pair'),
      hosts.map((h) => ({ host: h, optMl: optMlFor(id('pair'), h, hosts, {}), mounts: [], env: {} })),
    )
    const lines: string[] = []
    const handle = await runtime.start(job, (h, line) => lines.push(`${h}|${line}`))
    const exits = await handle.exited

    expect(exits).toEqual(hosts.map((host) => ({ host, exitCode: 0, oomKilled: false })))
    for (const [me, peer] of [['algo-1', 'algo-2'], ['algo-2', 'algo-1']] as const) {
      const probe = probeOf(job.hosts.find((h) => h.host === me)!.optMl)
      expect(probe.hostname).toBe(me)
      expect(probe.peers[peer]).toMatchObject({ reached: true })
      expect(probe.reached_by).toEqual([peer])
    }
    expect(lines).toEqual(expect.arrayContaining(hosts.map((h) => `${h}|probe: recorded /opt/ml/model/probe.json on ${h}`)))
    expect(await docker.listNetworks({ filters: JSON.stringify({ name: [networkName(job.id)] }) })).toEqual([])
    expect(await leftovers(job.id)).toEqual([])
  })

  it('reports a failing job: its exit code and the failure file it wrote', async () => {
    const host = oneHost(id('fail'), { fail: 'the data has no label column' })
    const handle = await runtime.start(jobOf(id('fail'), [host]), () => undefined)
    expect(await handle.exited).toEqual([{ host: 'algo-1', exitCode: 1, oomKilled: false }])
    expect(readFileSync(join(host.optMl, 'output/failure'), 'utf8')).toBe('the data has no label column')
    expect(await leftovers(id('fail'))).toEqual([])
  })

  it('stops the other hosts when one host fails, as the cloud fails the whole job', async () => {
    const hosts = ['algo-1', 'algo-2']
    const job = jobOf(id('one-fails'), [
      { host: 'algo-1', optMl: optMlFor(id('one-fails'), 'algo-1', hosts, { sleep: '600' }), mounts: [], env: {} },
      { host: 'algo-2', optMl: optMlFor(id('one-fails'), 'algo-2', hosts, { fail: 'algo-2 gave up' }), mounts: [], env: {} },
    ])
    const handle = await runtime.start(job, () => undefined)
    expect(await handle.exited).toEqual([
      { host: 'algo-1', exitCode: 143, oomKilled: false },
      { host: 'algo-2', exitCode: 1, oomKilled: false },
    ])
    expect(await leftovers(job.id)).toEqual([])
  })

  it('reports a job over its memory limit as OOM-killed with exit 137', async () => {
    const host = oneHost(id('oom'), { allocate_mb: '256' })
    const handle = await runtime.start(jobOf(id('oom'), [host], { memoryBytes: 64 * 1024 * 1024 }), () => undefined)
    expect(await handle.exited).toEqual([{ host: 'algo-1', exitCode: 137, oomKilled: true }])
    expect(await leftovers(id('oom'))).toEqual([])
  })

  it.each([
    { name: 'serve', port: 8080, env: {} as Record<string, string> },
    { name: 'serve-9000', port: 9000, env: { SAGEMAKER_BIND_TO_PORT: '9000' } },
  ])('serves /ping and /invocations on a port published on 127.0.0.1 only (container port $port)', async ({ name, port: inside, env }) => {
    const job = jobOf(id(name), [oneHost(id(name), {}, [], env)], { mode: 'serve', servePort: inside })
    const handle = await runtime.start(job, () => undefined)
    try {
      expect(handle.addresses).toHaveLength(1)
      const { host, port } = handle.addresses[0]!
      expect(host).toBe('algo-1')
      expect(port).toBeGreaterThan(0)
      const info = await docker.getContainer(containerName(job.id, 'algo-1')).inspect()
      expect(info.NetworkSettings.Ports[`${inside}/tcp`]).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }])

      const ping = await eventually('GET /ping', () =>
        fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => undefined),
      )
      expect(ping).toBe(200)
      const answer = await fetch(`http://127.0.0.1:${port}/invocations`, { method: 'POST', body: '1,2,3', signal: AbortSignal.timeout(5000) })
      expect(await answer.json()).toEqual({ host: 'algo-1', body: '1,2,3' })
    } finally {
      await handle.stop(2_000)
    }
    const exits: ReadonlyArray<HostExit> = await handle.exited
    expect(exits.map((e) => e.host)).toEqual(['algo-1'])
    expect(await leftovers(job.id)).toEqual([])
  })

  it('keeps a detached server running when the runtime closes (an endpoint outlives its command); sweep removes it', async () => {
    const own = await createDockerRuntime()
    if ('unavailable' in own) throw new Error(own.unavailable)
    const job = jobOf(id('detached'), [oneHost(id('detached'), {})], { mode: 'serve', detached: true })
    const handle = await own.start(job, () => undefined)
    const { port } = handle.addresses[0]!
    const ping = () => fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => undefined)
    expect(await eventually('GET /ping', ping)).toBe(200)
    await own.close()
    // The command is over; the server is not.
    expect(await ping()).toBe(200)
    expect(await leftovers(job.id)).toHaveLength(1)
    await runtime.sweep({ 'sagespec.job': job.id })
    expect(await leftovers(job.id)).toEqual([])
  })

  it('refuses a missing image before anything starts, saying how to build or load it', async () => {
    const job = jobOf(id('missing'), [oneHost(id('missing'), {})], { image: 'sagespec-test/not-built:1' })
    const reason = await runtime.check(job)
    expect(reason).toBe(missingImageMessage('sagespec-test/not-built:1'))
    expect(reason).toMatch(/^image sagespec-test\/not-built:1 is not on this machine; build or load it: docker build -t sagespec-test\/not-built:1 .* docker load -i /)
    await expect(runtime.start(job, () => undefined)).rejects.toThrow(missingImageMessage('sagespec-test/not-built:1'))
    expect(await leftovers(job.id)).toEqual([])
    expect(await runtime.check(jobOf(id('present'), []))).toBeUndefined()
  })

  it('refuses a GPU job clearly where the engine has no GPU runtime', async (ctx) => {
    const info = (await docker.info()) as { Runtimes?: Record<string, unknown> }
    if (Object.keys(info.Runtimes ?? {}).some((r) => r.includes('nvidia'))) ctx.skip('this engine has a GPU runtime')
    expect(await runtime.check(jobOf(id('gpu'), [], { gpu: true }))).toMatch(/asks for GPUs .* no GPU runtime; install the NVIDIA Container Toolkit/)
  })

  it('runs a script-mode entry point in the script-mode test image as the training toolkit does', async () => {
    const code = join(folder!.path, 'script-code')
    mkdirSync(code)
    writeFileSync(
      join(code, 'entry.py'),
      [
        'import json, os, sys',
        'seen = {"argv": sys.argv[1:], "cwd": os.getcwd(), "env": {k: v for k, v in os.environ.items() if k.startswith("SM_")}}',
        'open(os.path.join(os.environ["SM_MODEL_DIR"], "seen.json"), "w").write(json.dumps(seen))',
        'sys.exit(int(seen["env"]["SM_HP_EXIT"]))',
      ].join('\n'),
    )
    const hps = { sagemaker_program: '"entry.py"', sagemaker_submit_directory: '"/opt/ml/code"', epochs: '5', lr: '0.1', exit: '0' }
    const run = async (name: string, exit: string) => {
      const data = join(folder!.path, `${name}-data`)
      mkdirSync(data)
      const host = oneHost(id(name), { ...hps, exit }, [
        { source: data, target: '/opt/ml/input/data/train', readOnly: true },
        { source: code, target: '/opt/ml/code', readOnly: true },
      ])
      const handle = await runtime.start(jobOf(id(name), [host], { image: SCRIPT_MODE_IMAGE }), () => undefined)
      return { exits: await handle.exited, optMl: host.optMl }
    }

    const ok = await run('script', '0')
    expect(ok.exits).toEqual([{ host: 'algo-1', exitCode: 0, oomKilled: false }])
    const seen = JSON.parse(readFileSync(join(ok.optMl, 'model/seen.json'), 'utf8')) as { argv: string[]; cwd: string; env: Record<string, string> }
    expect(seen.argv).toEqual(['--epochs', '5', '--exit', '0', '--lr', '0.1'])
    expect(seen.cwd).toBe('/opt/ml/code')
    expect(seen.env).toMatchObject({
      SM_MODEL_DIR: '/opt/ml/model',
      SM_CHANNEL_TRAIN: '/opt/ml/input/data/train',
      SM_CHANNELS: '["train"]',
      SM_HPS: '{"epochs":5,"exit":0,"lr":0.1}',
      SM_HOSTS: '["algo-1"]',
      SM_CURRENT_HOST: 'algo-1',
      SM_USER_ENTRY_POINT: 'entry.py',
    })

    const failed = await run('script-fails', '3')
    expect(failed.exits).toEqual([{ host: 'algo-1', exitCode: 3, oomKilled: false }])
    expect(readFileSync(join(failed.optMl, 'output/failure'), 'utf8')).toMatch(/^ExecuteUserScriptError: entry.py exited with code 3/)
  })

  it('sweeps what carries the labels and leaves the rest', async () => {
    const make = async (step: string) => {
      const labels = { ...labelsOf(step, id(`sweep-${step}`)), sagespec: '1' }
      await docker.createContainer({ name: containerName(id(`sweep-${step}`), 'algo-1'), Image: PROBE_IMAGE, Cmd: ['train'], Labels: labels })
      await docker.createNetwork({ Name: networkName(id(`sweep-${step}`)), Labels: labels })
    }
    await make('a')
    await make('b')
    await runtime.sweep({ 'sagespec.run': run, 'sagespec.step': 'a' })
    expect(await leftovers(id('sweep-a'))).toEqual([])
    expect(await leftovers(id('sweep-b'))).toHaveLength(2)
    await runtime.sweep({ 'sagespec.run': run })
    expect(await leftovers()).toEqual([])
  })
})
