/**
 * The local run target: the same plan and executor as on AWS, with a backend that runs the work on
 * this machine — in Docker containers, or as host processes for script-mode steps when no engine
 * answers. `prepare` refuses what the chosen runtime cannot run, before anything starts.
 *
 * Families of operations plug in through `FAMILIES` (handlers) and `capabilities.ts` (checks).
 *
 * @since 0.2.0
 */
import { request } from 'node:http'
import { join } from 'node:path'
import type { TargetModule, TargetOptions } from '../interpret/execute/target.js'
import type { Plan } from '../interpret/plan/plan.js'
import type { SpecError } from '../spec/errors.js'
import { createLocalBackend, mergeHandlers } from './backend.js'
import { localProblems } from './capabilities.js'
import { createContext, type Handlers } from './context.js'
import { modelHandlers } from './models.js'
import { processRuntime } from './runtime/process.js'
import type { Runtime } from './runtime/runtime.js'
import { trainingHandlers } from './training.js'

/** The operation families of the local backend. */
export const FAMILIES: ReadonlyArray<Handlers> = [trainingHandlers, modelHandlers]

// -------------------------------------------------------------------------------------
// runtimes
// -------------------------------------------------------------------------------------

/** The Docker socket the client library would use: `DOCKER_HOST=unix://…`, else the default. */
const dockerSocket = (env: NodeJS.ProcessEnv): string | undefined => {
  const host = env['DOCKER_HOST']
  if (host === undefined || host === '') return '/var/run/docker.sock'
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined
}

/** Whether a Docker engine answers `GET /_ping` within half a second. */
export const engineAnswers = (env: NodeJS.ProcessEnv = process.env): Promise<{ readonly ok: boolean; readonly where: string }> => {
  const socketPath = dockerSocket(env)
  const where = socketPath === undefined ? (env['DOCKER_HOST'] ?? '') : `unix://${socketPath}`
  if (socketPath === undefined) return Promise.resolve({ ok: false, where })
  return new Promise((res) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 500 }, (r) => {
      r.resume()
      res({ ok: r.statusCode === 200, where })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => res({ ok: false, where }))
    req.end()
  })
}

/**
 * The Docker runtime lives in `./runtime/docker.js` (`dockerRuntime(options) → Runtime`); loaded
 * only when chosen, so the process runtime never loads the Docker client.
 */
const DOCKER_MODULE = './runtime/docker.js'
const loadDocker = async (dir: string, say: (l: string) => void): Promise<Runtime | string> => {
  try {
    const m = (await import(DOCKER_MODULE)) as { dockerRuntime?: (o: { dir: string; say: (l: string) => void }) => Runtime | Promise<Runtime> }
    if (m.dockerRuntime === undefined) return 'this build has no Docker runtime'
    return await m.dockerRuntime({ dir, say })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('docker')) return 'this build has no Docker runtime yet'
    return `the Docker runtime could not be loaded (${e instanceof Error ? e.message : String(e)})`
  }
}

/** What the target needs from this machine; replaced in tests. */
export interface Machine {
  readonly engine: () => Promise<{ readonly ok: boolean; readonly where: string }>
  readonly docker: (dir: string, say: (l: string) => void) => Promise<Runtime | string>
  readonly process: (dir: string) => Runtime
}

export const thisMachine: Machine = {
  engine: () => engineAnswers(),
  docker: loadDocker,
  process: (dir) => processRuntime({ dir: join(dir, 'processes') }),
}

export interface Chosen {
  readonly runtime: Runtime
  /** Why this one, in words for the person running. */
  readonly why: string
  /** Chosen by default (no --runtime): the plan may still send it to the process runtime. */
  readonly auto: boolean
  /** Where the engine answered (for the words). */
  readonly where?: string
}

const chooseRuntime = async (m: Machine, o: TargetOptions): Promise<Chosen | string> => {
  const dir = join(o.stateDir, 'local')
  const say = o.say ?? (() => undefined)
  if (o.runtime === 'process') return { runtime: m.process(dir), auto: false, why: 'process runtime (--runtime process): script-mode entry points run as python3 processes on this machine' }
  const engine = await m.engine()
  if (o.runtime === 'docker') {
    if (!engine.ok) return `--runtime docker: no Docker engine answers at ${engine.where} (start one, or use --runtime process for script-mode steps)`
    const d = await m.docker(dir, say)
    return typeof d === 'string' ? `--runtime docker: ${d}` : { runtime: d, auto: false, why: `docker runtime (--runtime docker): the engine at ${engine.where}` }
  }
  if (!engine.ok) return { runtime: m.process(dir), auto: true, why: `process runtime: no Docker engine answers at ${engine.where}, so script-mode entry points run as python3 processes (--runtime docker to require one)` }
  const d = await m.docker(dir, say)
  if (typeof d === 'string') return { runtime: m.process(dir), auto: true, why: `process runtime: a Docker engine answers at ${engine.where}, but ${d}` }
  return { runtime: d, auto: true, where: engine.where, why: `docker runtime: a Docker engine answers at ${engine.where} (--runtime process to run script-mode steps as host processes)` }
}

/** The literal training images of the plan, with whether their step is script mode. */
const trainingImages = (plan: Plan): ReadonlyArray<{ readonly image: string; readonly script: boolean }> =>
  plan.steps.flatMap((s) =>
    s.requests.flatMap((r) => {
      if (r._tag !== 'CreateTrainingJob') return []
      const i = r.input as { AlgorithmSpecification?: { TrainingImage?: unknown }; HyperParameters?: Record<string, unknown> }
      const image = i.AlgorithmSpecification?.TrainingImage
      return typeof image === 'string' ? [{ image, script: i.HyperParameters?.['sagemaker_program'] !== undefined }] : []
    }),
  )

/** Why each training image cannot start under this runtime (a missing image, no GPU), at its step. */
const imageProblems = async (c: Chosen, plan: Plan): Promise<ReadonlyArray<SpecError>> => {
  if (c.runtime.kind !== 'docker') return []
  const out: SpecError[] = []
  for (const s of plan.steps)
    for (const x of trainingImages({ ...plan, steps: [s] })) {
      const why = await c.runtime.check({ id: 'sagespec-check', mode: 'train', image: x.image, hosts: [], labels: {}, gpu: false })
      if (why !== undefined) out.push({ _tag: 'Rule', path: `steps.${s.name}.image`, expected: `an image the Docker engine has: ${why}`, actual: x.image })
    }
  return out
}

/**
 * By default Docker runs the plan when the engine has its images; when it lacks an image that only
 * script-mode steps use, those steps run as host processes instead of failing, and the run says why.
 */
const fitToPlan = async (m: Machine, o: TargetOptions, c: Chosen, plan: Plan): Promise<Chosen> => {
  if (!c.auto || c.runtime.kind !== 'docker') return c
  const missing: Array<{ image: string; script: boolean; why: string }> = []
  for (const x of trainingImages(plan)) {
    const why = await c.runtime.check({ id: 'sagespec-check', mode: 'train', image: x.image, hosts: [], labels: {}, gpu: false })
    if (why !== undefined) missing.push({ ...x, why })
  }
  if (missing.length === 0 || missing.some((x) => !x.script)) return c
  await c.runtime.close()
  return {
    runtime: m.process(join(o.stateDir, 'local')),
    auto: true,
    why: `process runtime: a Docker engine answers at ${c.where ?? 'this machine'}, but ${missing[0]!.why}; script-mode steps run as python3 processes instead (load the image and use --runtime docker to run them in containers)`,
  }
}

// -------------------------------------------------------------------------------------
// the target
// -------------------------------------------------------------------------------------

/** The local target on a machine: one runtime choice per command (prepare and createBackend share it). */
export const localTarget = (m: Machine = thisMachine): TargetModule => {
  const chosen = new WeakMap<TargetOptions, Promise<Chosen | string>>()
  const told = new WeakSet<TargetOptions>()
  const choice = (o: TargetOptions): Promise<Chosen | string> => {
    let c = chosen.get(o)
    if (c === undefined) chosen.set(o, (c = chooseRuntime(m, o)))
    return c
  }
  const tell = (o: TargetOptions, c: Chosen) => {
    if (told.has(o)) return
    told.add(o)
    o.say?.(`Local runtime: ${c.why}`)
  }
  return {
    // Local jobs are this machine's processes and containers: Ctrl-C stops them, a resume reruns them.
    stopOnInterrupt: true,
    prepare: async (plan, options) => {
      const first = await choice(options)
      if (typeof first === 'string') return { errors: [{ _tag: 'Rule', path: '--runtime', expected: 'a runtime that can start here', actual: first }], plan }
      const c = await fitToPlan(m, options, first, plan)
      chosen.set(options, Promise.resolve(c))
      tell(options, c)
      const errors = [...localProblems(plan.steps, mergeHandlers(FAMILIES), { runtime: c.runtime.kind, baseDir: options.baseDir }), ...(await imageProblems(c, plan))]
      return { errors, plan }
    },
    createBackend: async (options) => {
      const c = await choice(options)
      if (typeof c === 'string') throw new Error(c)
      tell(options, c)
      const ctx = createContext({
        stateDir: options.stateDir,
        baseDir: options.baseDir,
        runtime: c.runtime,
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.say === undefined ? {} : { say: options.say }),
      })
      return createLocalBackend(ctx, FAMILIES)
    },
  }
}

export const target: TargetModule = localTarget()
