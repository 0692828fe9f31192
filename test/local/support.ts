/**
 * Helpers for local-backend tests: a backend over the process runtime in a temp state folder, code
 * archives staged from a script's text, waiting on a job through the backend's `changed`, and
 * telling whether a process is gone.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker'
import type { Backend } from '../../src/interpret/execute/port.js'
import { gzipArchive, packCode } from '../../src/interpret/code/pack.js'
import type { Output } from '../../src/interpret/plan/operations.js'
import { createLocalBackend, stageCodeLocally } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import { modelHandlers } from '../../src/local/models.js'
import { processRuntime } from '../../src/local/runtime/process.js'
import { trainingHandlers } from '../../src/local/training.js'

export const tempDir = (tag: string): string => mkdtempSync(join(tmpdir(), `sagespec-${tag}-`))

export interface Local {
  readonly root: string
  readonly stateDir: string
  readonly backend: Backend
  readonly close: () => Promise<void>
}

/** A local backend on the process runtime, its state in a fresh temp folder (removed by `close`). */
export const localBackend = (o: { readonly root?: string; readonly stopGraceMs?: number; readonly env?: NodeJS.ProcessEnv } = {}): Local => {
  const root = o.root ?? tempDir('local')
  const stateDir = join(root, 'state')
  const ctx = createContext({
    stateDir,
    baseDir: root,
    runtime: processRuntime({ dir: join(stateDir, 'local', 'processes') }),
    region: 'us-west-2',
    stopGraceMs: o.stopGraceMs ?? 2000,
    ...(o.env === undefined ? {} : { env: o.env }),
  })
  const backend = createLocalBackend(ctx, [trainingHandlers, modelHandlers])
  return {
    root,
    stateDir,
    backend,
    close: async () => {
      await backend.close()
      if (o.root === undefined) rmSync(root, { recursive: true, force: true })
    },
  }
}

/** Write `files` into `<root>/<folder>` and stage them as a code archive; returns the file:// URI. */
export const stageScript = (local: Local, folder: string, files: Readonly<Record<string, string>>, entryPoint = 'train.py'): string => {
  const dir = join(local.root, folder)
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const packed = packCode({ _tag: 'Code', entryPoint, sourceDir: dir, s3Prefix: 's3://unused/code' } as never)
  if (E.isLeft(packed)) throw new Error(JSON.stringify(packed.left))
  return stageCodeLocally(join(local.stateDir, 'local'), packed.right.sha256, gzipArchive(packed.right.tar))
}

/** A script-mode CreateTrainingJob request, as the framework presets write it. */
export const scriptJob = (name: string, code: string, over: Partial<CreateTrainingJobCommandInput> = {}, program = 'train.py'): CreateTrainingJobCommandInput => ({
  TrainingJobName: name,
  AlgorithmSpecification: { TrainingImage: '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', TrainingInputMode: 'File', ...(over.AlgorithmSpecification ?? {}) },
  RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
  OutputDataConfig: { S3OutputPath: 'file://out' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  ...over,
  HyperParameters: {
    sagemaker_program: JSON.stringify(program),
    sagemaker_submit_directory: JSON.stringify(code),
    sagemaker_region: '"us-west-2"',
    sagemaker_container_log_level: '20',
    ...(over.HyperParameters ?? {}),
  },
})

const ENDED = ['Completed', 'Failed', 'Stopped']

/** Describe until the job has ended (woken by the backend; no fixed sleeps), within `timeoutMs`. */
export const waitEnded = async (backend: Backend, name: string, timeoutMs = 30_000): Promise<Output<'DescribeTrainingJob'>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const d = await backend.send('DescribeTrainingJob', { TrainingJobName: name })
    if (ENDED.includes(d.TrainingJobStatus ?? '')) return d
    if (Date.now() > deadline) throw new Error(`${name} still ${d.TrainingJobStatus}/${d.SecondaryStatus} after ${timeoutMs} ms`)
    await backend.changed!(name, 500)
  }
}

/** Poll `f` until it returns a value (every 20 ms), within `timeoutMs`. */
export const eventually = async <A>(f: () => A | undefined, timeoutMs = 20_000, what = 'a condition'): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = f()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A process is gone when it no longer exists, or only as a zombie nobody has reaped yet. */
export const gone = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

export const readJsonFile = (file: string): any => JSON.parse(readFileSync(file, 'utf8'))
