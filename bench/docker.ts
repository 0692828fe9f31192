/**
 * Docker runtime benchmark: a trivial training job (the probe image: it records what it saw and
 * exits) from start to exit, containers removed, through the Docker runtime, beside a bare
 * `docker run --rm` of the same image with the same mount, in one run, interleaved. The runtime is
 * measured twice: a single host on the engine's default bridge (its default) and with a network made
 * and removed for the job (what several hosts need).
 *
 *   test/fixtures/images/build.sh && npx tsx bench/docker.ts [runs]
 *
 * Prints medians and ratios (goal: runtime / docker run ≤ 1.15); never fails on time.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createDockerRuntime } from '../src/local/runtime/docker.js'
import type { JobSpec, Runtime } from '../src/local/runtime/runtime.js'

const image = 'sagespec-test/probe:1'
const runs = Number(process.argv[2] ?? 15)
const run = promisify(execFile)

const root = mkdtempSync(join(tmpdir(), 'sagespec-bench-docker-'))
const optMl = join(root, 'algo-1')
mkdirSync(join(optMl, 'input/config'), { recursive: true })
mkdirSync(join(optMl, 'model'))
writeFileSync(join(optMl, 'input/config/hyperparameters.json'), '{}')
writeFileSync(join(optMl, 'input/config/resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }))

const runtimeOr = async (jobNetwork: 'always' | 'multi-host'): Promise<Runtime> => {
  const r = await createDockerRuntime({ jobNetwork })
  if ('unavailable' in r) {
    console.error(`no Docker engine: ${r.unavailable}`)
    process.exit(1)
  }
  return r
}

const plain = await runtimeOr('multi-host')
const networked = await runtimeOr('always')
const problem = await plain.check({ id: 'bench', mode: 'train', image, hosts: [], labels: {}, gpu: false })
if (problem !== undefined) {
  console.error(`${problem}\n(run test/fixtures/images/build.sh)`)
  process.exit(1)
}

let n = 0
const job = (): JobSpec => ({
  id: `bench-${process.pid}-${n++}`,
  mode: 'train',
  image,
  hosts: [{ host: 'algo-1', optMl, mounts: [], env: { TRAINING_JOB_NAME: 'bench' } }],
  labels: { 'sagespec.run': `bench-${process.pid}` },
  gpu: false,
})

const viaRuntime = (runtime: Runtime) => async () => {
  const handle = await runtime.start(job(), () => undefined)
  const [exit] = await handle.exited
  if (exit?.exitCode !== 0) throw new Error(`the probe exited with ${exit?.exitCode}`)
}
const bare = async () => {
  await run('docker', ['run', '--rm', '--pull=never', '-v', `${optMl}:/opt/ml`, image, 'train'])
}

const cases = [
  { name: 'runtime, default bridge', fn: viaRuntime(plain) },
  { name: 'runtime, network per job', fn: viaRuntime(networked) },
  { name: 'docker run --rm', fn: bare },
] as const
const times: number[][] = cases.map(() => [])
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

try {
  for (const c of cases) await c.fn() // warm: image layers, client connections
  for (let i = 0; i < runs; i++) {
    // Rotate the order so no case always runs right after another.
    for (let k = 0; k < cases.length; k++) {
      const j = (i + k) % cases.length
      const t0 = performance.now()
      await cases[j]!.fn()
      times[j]!.push(performance.now() - t0)
    }
  }
} finally {
  await plain.sweep({ 'sagespec.run': `bench-${process.pid}` })
  rmSync(root, { recursive: true, force: true })
}

const base = median(times[2]!)
console.log(`trivial training job, start to exit with containers removed; median of ${runs} (interleaved)`)
for (const [k, c] of cases.entries()) {
  const m = median(times[k]!)
  console.log(`  ${c.name.padEnd(26)} ${m.toFixed(0).padStart(5)} ms   ${(m / base).toFixed(2)}x docker run --rm`)
}
