import { rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { endpoint, model, program, training, validate, type Program } from '../../src/index.js'
import { sklearn } from '../../src/frameworks/index.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { message } from '../../src/spec/errors.js'
import { localTarget, target, thisMachine, type Machine } from '../../src/local/index.js'
import { missingImageMessage } from '../../src/local/runtime/messages.js'
import type { Runtime } from '../../src/local/runtime/runtime.js'
import { tempDir } from './support.js'
import { localProblems } from '../../src/local/capabilities.js'
import { mergeHandlers } from '../../src/local/backend.js'
import { modelHandlers } from '../../src/local/models.js'
import { trainingHandlers } from '../../src/local/training.js'

const root = tempDir('capabilities')
afterAll(() => rmSync(root, { recursive: true, force: true }))
const role = 'arn:aws:iam::111122223333:role/SageMakerRole'

const planOf = (p: Program) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return toPlan(v.right)
}

const problems = async (p: Program, runtime: 'process' | 'docker' | 'default' = 'process') => {
  const said: string[] = []
  const r = await target.prepare(planOf(p), { stateDir: join(root, 'state'), baseDir: process.cwd(), ...(runtime === 'default' ? {} : { runtime }), say: (l) => void said.push(l) })
  return { errors: r.errors.map(message), said }
}

const script = (over: Record<string, unknown> = {}) =>
  sklearn('fit', {
    entryPoint: 'examples/local/train.py',
    codeLocation: 's3://b/code',
    frameworkVersion: '1.2-1',
    region: 'us-west-2',
    role,
    instanceType: 'ml.m5.large',
    output: { s3OutputPath: 'file://out' },
    channels: { train: { uri: 'file://examples/local/data' } },
    ...over,
  })

describe('local capability checks (before anything starts)', () => {
  it('accepts a script-mode job under the process runtime and says which runtime was chosen and why', async () => {
    const r = await problems(program(script()))
    expect(r.errors).toEqual([])
    expect(r.said).toEqual(['Local runtime: process runtime (--runtime process): script-mode entry points run as python3 processes on this machine'])
  })

  it('refuses a BYO image under the process runtime, with the reason and the alternative', async () => {
    const byo = training('byo', { image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1', role, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 'file://out' } })
    expect((await problems(program(byo))).errors).toEqual([
      'steps.byo.image: expected a script-mode step (a framework preset with an entry point): the process runtime runs entry points as python3 processes, and this image (a BYO container or an Amazon algorithm) needs a container — run it with --runtime docker, found "111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1"',
    ])
  })

  it('refuses Pipe input mode and a missing file:// folder, each at its path', async () => {
    const errors = (await problems(program(script({ inputMode: 'Pipe', channels: { train: { uri: 'file://no/such/folder' } } })))).errors
    expect(errors).toEqual([
      'steps.fit.inputMode: expected File or FastFile input mode: local jobs read channels as files (Pipe mode is not emulated locally), found "Pipe"',
      `steps.fit.channels.train.uri: expected a file or folder that exists (${join(process.cwd(), 'no/such/folder')} does not; relative file:// paths are read from ${process.cwd()}), found "file://no/such/folder"`,
    ])
  })

  it('refuses a step kind no local family handles yet, instead of half-running the program', async () => {
    const m = model('m', { container: { image: 'img:1', modelDataUrl: 's3://b/model.tar.gz' }, role })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
    // Checked against tables without the endpoint family: whichever families exist, the rule holds.
    const errors = localProblems(planOf(program(m, e)).steps, mergeHandlers([trainingHandlers, modelHandlers]), { runtime: 'process', baseDir: process.cwd() }).map(message)
    expect(errors.some((x) => x.startsWith('steps.serve: expected a step the local backend can run (CreateEndpointConfig is not supported by the local backend yet'))).toBe(true)
    expect(errors.some((x) => x.startsWith('steps.m'))).toBe(false)
    // With every family, the endpoint step runs locally.
    expect((await problems(program(m, e))).errors).toEqual([])
  })

  it('without an engine, the default is the process runtime, and the reason names where it looked', async () => {
    const before = process.env['DOCKER_HOST']
    process.env['DOCKER_HOST'] = `unix://${join(root, 'no-docker.sock')}`
    try {
      const r = await problems(program(script()), 'default')
      expect(r.errors).toEqual([])
      expect(r.said).toEqual([`Local runtime: process runtime: no Docker engine answers at unix://${join(root, 'no-docker.sock')}, so script-mode entry points run as python3 processes (--runtime docker to require one)`])
    } finally {
      if (before === undefined) delete process.env['DOCKER_HOST']
      else process.env['DOCKER_HOST'] = before
    }
  })
})

describe('the default runtime on a machine with a Docker engine', () => {
  const fakeDocker = (has: ReadonlyArray<string>): Runtime => ({
    kind: 'docker',
    describe: 'fake engine',
    check: async (job) => (has.includes(job.image) ? undefined : missingImageMessage(job.image)),
    start: async () => {
      throw new Error('not in this test')
    },
    sweep: async () => undefined,
    close: async () => undefined,
  })
  const machine = (has: ReadonlyArray<string>): Machine => ({
    engine: async () => ({ ok: true, where: 'unix:///fake.sock' }),
    docker: async () => fakeDocker(has),
    process: thisMachine.process,
  })
  const prepare = async (m: Machine, p: Program, runtime?: 'docker') => {
    const said: string[] = []
    const r = await localTarget(m).prepare(planOf(p), { stateDir: join(root, 'state'), baseDir: process.cwd(), ...(runtime === undefined ? {} : { runtime }), say: (l) => void said.push(l) })
    return { errors: r.errors.map(message), said }
  }
  const sklearnImage = '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3'

  it('runs in Docker when the engine has the images', async () => {
    expect(await prepare(machine([sklearnImage]), program(script()))).toEqual({
      errors: [],
      said: ['Local runtime: docker runtime: a Docker engine answers at unix:///fake.sock (--runtime process to run script-mode steps as host processes)'],
    })
  })

  it('runs script-mode steps as processes when the engine lacks their image, and says so', async () => {
    expect(await prepare(machine([]), program(script()))).toEqual({
      errors: [],
      said: [
        `Local runtime: process runtime: a Docker engine answers, but ${sklearnImage} is not on this machine (sagespec never pulls), so script-mode entry points run as python3 processes (--runtime docker to require the image)`,
      ],
    })
  })

  it('refuses a missing image before anything starts when a step needs a container, or with --runtime docker', async () => {
    const byo = training('byo', { image: 'mine:1', role, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 'file://out' } })
    expect((await prepare(machine([]), program(byo))).errors).toEqual([`steps.byo.image: expected an image this machine can run (${missingImageMessage('mine:1')}), found "mine:1"`])
    expect((await prepare(machine([]), program(script()), 'docker')).errors).toEqual([`steps.fit.image: expected an image this machine can run (${missingImageMessage(sklearnImage)}), found "${sklearnImage}"`])
  })
})
