/**
 * Plan benchmark: validate + plan + text render for 1,000- and 10,000-step programs (chains and
 * fan-outs), both sizes alternating in one warm process (peak memory from a fresh process per size);
 * then the cold-start wall time of `sagespec plan` on the README example beside `node -e 0`, in the
 * same run.
 *
 *   npx tsx bench/plan.ts
 *
 * Prints ratios; never fails on time.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join as joinPath } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { model, program, training, type Step } from '../src/spec/index.js'
import { validate } from '../src/spec/validate.js'
import { toPlan } from '../src/interpret/plan/plan.js'
import { toText } from '../src/interpret/dry-run/text.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/bench:1'

const trainingStep = (name: string, modelUri?: ReturnType<typeof training>['outputs']['modelArtifacts']) =>
  training(name, {
    image,
    role,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: 's3://bench-bucket/out' },
    channels: { train: { uri: 's3://bench-bucket/train/' } },
    hyperParameters: { epochs: 10, lr: 0.1 },
    ...(modelUri !== undefined ? { modelUri } : {}),
  })

/** t0 → t1 → … (incremental training: each job starts from the previous one's model). */
const chain = (n: number): Step[] => {
  const steps: Array<ReturnType<typeof training>> = [trainingStep('t0')]
  for (let i = 1; i < n; i++) steps.push(trainingStep(`t${i}`, steps[i - 1]!.outputs.modelArtifacts))
  return steps
}

/** One training job feeding n-1 models. */
const fanOut = (n: number): Step[] => {
  const t = trainingStep('t0')
  const steps: Step[] = [t]
  for (let i = 1; i < n; i++) steps.push(model(`m${i}`, { container: { image, modelDataUrl: t.outputs.modelArtifacts }, role }))
  return steps
}

const SHAPES = { chain, fanOut } as const

const runCase = (shape: keyof typeof SHAPES, n: number) => {
  const p = program(...SHAPES[shape](n))
  const t0 = process.hrtime.bigint()
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(`bench program invalid: ${JSON.stringify(v.left.slice(0, 3))}`)
  const t1 = process.hrtime.bigint()
  const plan = toPlan(v.right)
  const t2 = process.hrtime.bigint()
  const text = toText(plan)
  const t3 = process.hrtime.bigint()
  return {
    validateMs: Number(t1 - t0) / 1e6,
    planMs: Number(t2 - t1) / 1e6,
    renderMs: Number(t3 - t2) / 1e6,
    textBytes: text.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

const here = dirname(fileURLToPath(import.meta.url))
const root = joinPath(here, '..')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const child = (shape: string, n: number) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', shape, String(n)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  })
  return JSON.parse(out.trim().split('\n').pop()!) as ReturnType<typeof runCase>
}

const wall = (cmd: string, args: string[], runs: number) => {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`)
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(times)
}

const ROUNDS = 5

/** Both sizes alternating in one warm process, so neither gets the JIT or the GC to itself. */
const timeShape = (shape: keyof typeof SHAPES) => {
  for (let k = 0; k < 3; k++) runCase(shape, 500)
  const out: Record<number, Array<ReturnType<typeof runCase>>> = { 1000: [], 10000: [] }
  for (let r = 0; r < ROUNDS; r++) for (const n of [1000, 10000]) out[n]!.push(runCase(shape, n))
  return out
}

const main = () => {
  const i = process.argv.indexOf('--case')
  if (i >= 0) {
    const shape = process.argv[i + 1] as keyof typeof SHAPES
    const n = Number(process.argv[i + 2])
    // Peak memory of one size on its own, in a fresh process.
    runCase(shape, n)
    console.log(JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 }))
    return
  }
  console.log(`validate + plan + text render, per step: median of ${ROUNDS} rounds, sizes alternating in one warm process`)
  console.log('shape    steps   validate µs  plan µs  render µs  total µs/step  peak RSS MB (own process)')
  for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
    const timed = timeShape(shape)
    const totals: Record<number, number> = {}
    for (const n of [1000, 10000]) {
      const rs = timed[n]!
      const v = median(rs.map((r) => r.validateMs))
      const p = median(rs.map((r) => r.planMs))
      const t = median(rs.map((r) => r.renderMs))
      totals[n] = median(rs.map((r) => r.validateMs + r.planMs + r.renderMs))
      const perStep = (ms: number) => ((ms * 1000) / n).toFixed(1).padStart(8)
      const rss = (child(shape, n) as unknown as { peakRssMb: number }).peakRssMb
      console.log(`${shape.padEnd(8)} ${String(n).padStart(6)}  ${perStep(v)}    ${perStep(p)} ${perStep(t)}   ${perStep(totals[n]!)}       ${rss.toFixed(0).padStart(6)}`)
    }
    console.log(`${shape}: time(10k)/time(1k) = ${(totals[10000]! / totals[1000]!).toFixed(2)}  (10 = linear)`)
  }

  const bin = joinPath(root, 'bin', 'sagespec.js')
  const cli = wall(process.execPath, [bin, 'plan', 'examples/train-deploy.ts'], 7)
  const bare = wall(process.execPath, ['-e', '0'], 7)
  console.log(`\ncold start, median of 7: sagespec plan examples/train-deploy.ts ${cli.toFixed(0)} ms; node -e 0 ${bare.toFixed(0)} ms; ratio ${(cli / bare).toFixed(1)}x`)
}

main()
