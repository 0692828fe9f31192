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
import { asSpecErrors, imageProblems } from './images.js'
import { createContext, localRegion, s3Client, type Handlers } from './context.js'
import { modelHandlers } from './models.js'
import { processRuntime } from './runtime/process.js'
import type { Runtime } from './runtime/runtime.js'
import { trainingHandlers } from './training.js'
import { tuningHandlers } from './tuning.js'
import { endpointHandlers } from './endpoints.js'
import { transformHandlers } from './transform.js'

/** The operation families of the local backend. */
export const FAMILIES: ReadonlyArray<Handlers> = [trainingHandlers, modelHandlers, tuningHandlers, endpointHandlers, transformHandlers]

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
 * The Docker runtime (`./runtime/docker.js`) is imported only when chosen, so the process runtime
 * never loads the Docker client; a literal import, so the bundled CLI carries it as its own chunk.
 */
const loadDocker = async (dir: string, say: (l: string) => void): Promise<Runtime | string> => {
  try {
    const m = await import('./runtime/docker.js')
    return await m.dockerRuntime({ dir, say })
  } catch (e) {
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
  return { runtime: d, auto: true, why: `docker runtime: a Docker engine answers at ${engine.where} (--runtime process to run script-mode steps as host processes)` }
}

/**
 * Docker was the default choice, but images the plan names are not on this machine (sagespec never
 * pulls): when every step can run as host processes (script mode), run them so and say why; with
 * `--runtime docker`, or when a step needs its container, the missing images are the plan's problems.
 */
const settleImages = async (m: Machine, plan: Plan, o: TargetOptions, c: Chosen): Promise<{ readonly chosen: Chosen; readonly problems: ReadonlyArray<SpecError> }> => {
  const images = await imageProblems(plan.steps, c.runtime)
  const canFallBack =
    images.length > 0 &&
    c.auto &&
    images.every((p) => p.missing) &&
    localProblems(plan.steps, mergeHandlers(FAMILIES), { runtime: 'process', baseDir: o.baseDir }).length === 0
  if (!canFallBack) return { chosen: c, problems: asSpecErrors(images) }
  const names = [...new Set(images.map((p) => p.image))]
  await c.runtime.close()
  return {
    chosen: {
      runtime: m.process(join(o.stateDir, 'local')),
      auto: true,
      why: `process runtime: a Docker engine answers, but ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not on this machine (sagespec never pulls), so script-mode entry points run as python3 processes (--runtime docker to require the ${names.length === 1 ? 'image' : 'images'})`,
    },
    problems: [],
  }
}

// -------------------------------------------------------------------------------------
// the target
// -------------------------------------------------------------------------------------

/** The module's data objects (RecordSets) put where local jobs read s3:// data; their problem, if any. */
const putUploads = async (options: TargetOptions): Promise<ReadonlyArray<SpecError>> => {
  const objects = options.uploads ?? []
  if (objects.length === 0) return []
  const { putDataObjects } = await import('../interpret/aws/data-objects.js')
  const s3 = await s3Client(localRegion(options.region))()
  try {
    await putDataObjects(s3, objects, options.say)
    return []
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    return [{ _tag: 'Rule', path: 'uploads', expected: `the program's data objects put in S3, where local jobs read s3:// data (${why}; set AWS_ENDPOINT_URL_S3 for an S3-compatible store)`, actual: objects.map((o) => o.uri).join(', ') }]
  } finally {
    s3.destroy()
  }
}

/** The local target on a machine: one runtime choice per command (prepare and createBackend share it). */
export const localTarget = (m: Machine = thisMachine): TargetModule => {
  const chosen = new WeakMap<TargetOptions, Promise<Chosen | string>>()
  const told = new WeakSet<TargetOptions>()
  const choice = (o: TargetOptions): Promise<Chosen | string> => {
    let c = chosen.get(o)
    if (c === undefined) chosen.set(o, (c = chooseRuntime(m, o)))
    return c
  }
  // Said once per command, when the choice is final (prepare may still change a default choice).
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
      const settled = await settleImages(m, plan, options, first)
      chosen.set(options, Promise.resolve(settled.chosen))
      tell(options, settled.chosen)
      const problems = localProblems(plan.steps, mergeHandlers(FAMILIES), { runtime: settled.chosen.runtime.kind, baseDir: options.baseDir })
      const errors = [...problems, ...settled.problems]
      // Local jobs read s3:// data from S3 (or the S3 endpoint the environment names): the module's data objects go there first.
      return { errors: errors.length > 0 ? errors : await putUploads(options), plan }
    },
    createBackend: async (options) => {
      const c = await choice(options)
      if (typeof c === 'string') throw new Error(c)
      tell(options, c)
      const dir = join(options.stateDir, 'local')
      const ctx = createContext({
        stateDir: options.stateDir,
        baseDir: options.baseDir,
        runtime: c.runtime,
        runtimeFor: async (kind) => (kind === c.runtime.kind ? c.runtime : kind === 'process' ? m.process(dir) : m.docker(dir, options.say ?? (() => undefined))),
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.say === undefined ? {} : { say: options.say }),
      })
      return createLocalBackend(ctx, FAMILIES)
    },
  }
}

export const target: TargetModule = localTarget()
