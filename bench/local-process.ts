/**
 * Process runtime benchmark: a trivial script-mode job (`print("ok")`) run by the process runtime
 * (host start to exit, with the toolkit environment) and as a whole local training job (Create to
 * Completed: contract files, code unpacked, artifacts packed and placed), each beside a bare
 * `python3 train.py` of the same script, alternating in one run. Medians of 15.
 *
 *   npx tsx bench/local-process.ts
 *
 * Prints ratios; never fails on time.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import { gzipArchive, packCode } from '../src/interpret/code/pack.js'
import { createLocalBackend, stageCodeLocally } from '../src/local/backend.js'
import { createContext } from '../src/local/context.js'
import { hostNames, inputDataConfig, resourceConfig, writeOptMl } from '../src/local/contract.js'
import { processRuntime } from '../src/local/runtime/process.js'
import { trainingHandlers } from '../src/local/training.js'

const N = 15
const root = mkdtempSync(join(tmpdir(), 'sagespec-bench-'))
const code = join(root, 'code')
mkdirSync(code)
writeFileSync(join(code, 'train.py'), 'print("ok")\n')

const bare = () =>
  new Promise<number>((res) => {
    const t = performance.now()
    const c = spawn('python3', ['train.py'], { cwd: code, stdio: ['ignore', 'pipe', 'pipe'] })
    c.stdout.resume()
    c.once('close', () => res(performance.now() - t))
  })

const stateDir = join(root, 'state')
const runtime = processRuntime({ dir: join(stateDir, 'local', 'processes') })
const optMl = join(root, 'opt-ml')
writeOptMl(optMl, { hyperParameters: { sagemaker_program: '"train.py"' }, inputDataConfig: inputDataConfig([], 'File'), resourceConfig: resourceConfig('algo-1', hostNames(1), 'ml.m5.large'), channels: [] })

const viaRuntime = async (i: number) => {
  const t = performance.now()
  const h = await runtime.start(
    { id: `bench-${i}`, mode: 'train', image: 'bench', hosts: [{ host: 'algo-1', optMl, mounts: [], env: {} }], labels: {}, gpu: false, script: { program: 'train.py', codeDir: code } },
    () => undefined,
  )
  await h.exited
  return performance.now() - t
}

const ctx = createContext({ stateDir, baseDir: root, runtime })
const backend = createLocalBackend(ctx, [trainingHandlers])
const packed = packCode({ _tag: 'Code', entryPoint: 'train.py', sourceDir: code, s3Prefix: 's3://x/code' } as never)
if (E.isLeft(packed)) throw new Error('pack')
const uri = stageCodeLocally(join(stateDir, 'local'), packed.right.sha256, gzipArchive(packed.right.tar))

const viaJob = async (i: number) => {
  const name = `bench-job-${i}`
  const t = performance.now()
  await backend.send('CreateTrainingJob', {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: 'bench', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::111122223333:role/R',
    OutputDataConfig: { S3OutputPath: `file://${root}/out` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 60 },
    HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: JSON.stringify(uri) },
  })
  for (;;) {
    const d = await backend.send('DescribeTrainingJob', { TrainingJobName: name })
    if (d.TrainingJobStatus !== 'InProgress') break
    await backend.changed!(name, 1000)
  }
  return performance.now() - t
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const times = { bare: [] as number[], runtime: [] as number[], job: [] as number[] }
await bare()
for (let i = 0; i < N; i++) {
  times.bare.push(await bare())
  times.runtime.push(await viaRuntime(i))
  times.job.push(await viaJob(i))
}
const b = median(times.bare)
console.log(`python3 train.py:                 ${b.toFixed(1)} ms (median of ${N})`)
console.log(`process runtime, start to exit:   ${median(times.runtime).toFixed(1)} ms  ratio ${(median(times.runtime) / b).toFixed(2)}x`)
console.log(`local training job, Create to end: ${median(times.job).toFixed(1)} ms  ratio ${(median(times.job) / b).toFixed(2)}x`)
await backend.close()
rmSync(root, { recursive: true, force: true })
