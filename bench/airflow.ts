/**
 * Airflow export benchmark: `toAirflowDag` on 1,000- and 10,000-step plans (chains and fan-outs),
 * measured side by side in one process — the two sizes alternate, after a warm-up — so the ratio
 * time(10k)/time(1k) compares like with like (10 = linear). Beside it, the validation alone of the same
 * programs (the first stage of an export), and the peak memory of building the program, then
 * validate + plan + export of one size in a fresh process (plain node on a bundle, see peak-rss.ts),
 * beside the same process idle. Apart: the export as `sagespec airflow -o` writes it (`writeAirflowDag`,
 * in chunks, to a file: here the null device), its time and its peak memory; and the peak of the same
 * process that only validates and plans, the floor under both.
 *
 *   npx tsx bench/airflow.ts
 *
 * Each kind of work (export, validation, export in pieces) is timed in rounds of its own. Prints times
 * and ratios; never fails on time.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { devNull, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { endpoint, model, program, toJson, transform, type Step } from '../src/spec/index.js'
import { chain as chainOf, image, role, trainingStep } from './programs.js'
import { validate } from '../src/spec/validate.js'
import { toPlan, type Plan } from '../src/interpret/plan/plan.js'
import { toAirflowDag, writeAirflowDag } from '../src/interpret/airflow/dag.js'
import { caseRunner, cliPeakRssMb, reportPeakRss } from './peak-rss.js'

/** t0 → t1 → … with tags (every request carries some). */
const chain = (n: number): Step[] => chainOf(n, { team: 'bench' })

/** One training job feeding models, each deployed or used for a batch transform. */
const fanOut = (n: number): Step[] => {
  const t = trainingStep('t0', undefined, { team: 'bench' })
  const steps: Step[] = [t]
  for (let i = 1; steps.length < n; i++) {
    const m = model(`m${i}`, { container: { image, modelDataUrl: t.outputs.modelArtifacts }, role })
    steps.push(m)
    if (steps.length < n)
      steps.push(
        i % 2 === 0
          ? endpoint(`e${i}`, { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
          : transform(`x${i}`, { model: m.outputs.name, resources: { instanceType: 'ml.m5.large' }, input: { uri: 's3://bench-bucket/in/' }, output: { s3OutputPath: 's3://bench-bucket/scores/' } }),
      )
  }
  return steps
}

const SHAPES = { chain, fanOut } as const

const planFor = (shape: keyof typeof SHAPES, n: number): Plan => {
  const v = validate(program(...SHAPES[shape](n)))
  if (E.isLeft(v)) throw new Error(`bench program invalid: ${JSON.stringify(v.left.slice(0, 3))}`)
  return toPlan(v.right)
}

const OPTIONS = { dagId: 'bench', schedule: null, startDate: '2026-01-01' } as const

const timeExport = (plan: Plan): { ms: number; bytes: number } => {
  const t0 = process.hrtime.bigint()
  const dag = toAirflowDag(plan, OPTIONS)
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: dag.length }
}

/** As `sagespec airflow -o` writes a DAG: in chunks, to a file (the null device), never one string. */
const timeWritten = (plan: Plan): number => {
  const fd = openSync(devNull, 'w')
  try {
    const t0 = process.hrtime.bigint()
    const r = writeAirflowDag(OPTIONS)(plan)
    if (E.isLeft(r)) throw new Error('bench plan not exportable')
    r.right((chunk) => void writeSync(fd, chunk))
    return Number(process.hrtime.bigint() - t0) / 1e6
  } finally {
    closeSync(fd)
  }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const timeValidate = (shape: keyof typeof SHAPES, n: number): number => {
  const p = program(...SHAPES[shape](n))
  const t0 = process.hrtime.bigint()
  if (E.isLeft(validate(p))) throw new Error('bench program invalid')
  return Number(process.hrtime.bigint() - t0) / 1e6
}

const REPS = 7
const caseAt = process.argv.indexOf('--case')
if (caseAt >= 0) {
  const shape = process.argv[caseAt + 1]
  if (shape !== 'idle') {
    const plan = planFor(shape as keyof typeof SHAPES, Number(process.argv[caseAt + 2]))
    const mode = process.argv[caseAt + 3]
    if (mode === 'pieces') timeWritten(plan)
    else if (mode !== 'plan') toAirflowDag(plan, OPTIONS)
  }
  reportPeakRss()
} else {
  const cases = await caseRunner(fileURLToPath(import.meta.url))
  console.log(`toAirflowDag (plan built beforehand), median of ${REPS} alternating repetitions after a warm-up, in one process`)
  console.log(`peak RSS: own process (node on a bundle), building the program, validate and plan included; the same process idle: ${cases.peakRssMb('idle').toFixed(0)} MB`)
  console.log('shape     steps   total ms   µs/step   DAG MB   validate-only µs/step   peak RSS MB   written in pieces (as the CLI): µs/step, peak RSS MB   (validate + plan alone: peak RSS MB)')
  for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
    const plans = { 1000: planFor(shape, 1000), 10000: planFor(shape, 10000) }
    for (let k = 0; k < 3; k++) timeExport(planFor(shape, 500))
    const times: Record<number, number[]> = { 1000: [], 10000: [] }
    const validates: Record<number, number[]> = { 1000: [], 10000: [] }
    const written: Record<number, number[]> = { 1000: [], 10000: [] }
    let bytes: Record<number, number> = {}
    // Each kind of work in rounds of its own: a 1,000-step export right after validating 10,000 steps
    // would pay for collecting that validation's garbage.
    for (let r = 0; r < REPS; r++)
      for (const n of [1000, 10000] as const) {
        const t = timeExport(plans[n])
        times[n]!.push(t.ms)
        bytes = { ...bytes, [n]: t.bytes }
      }
    for (let r = 0; r < REPS; r++) for (const n of [1000, 10000] as const) validates[n]!.push(timeValidate(shape, n))
    for (let r = 0; r < REPS; r++) for (const n of [1000, 10000] as const) written[n]!.push(timeWritten(plans[n]))
    for (const n of [1000, 10000] as const) {
      const ms = median(times[n]!)
      const v = (median(validates[n]!) * 1000) / n
      console.log(
        `${shape.padEnd(8)} ${String(n).padStart(6)}  ${ms.toFixed(1).padStart(9)}  ${((ms * 1000) / n).toFixed(1).padStart(8)}  ${(bytes[n]! / 1e6).toFixed(1).padStart(7)}  ${v.toFixed(1).padStart(14)}  ${cases.peakRssMb(shape, String(n)).toFixed(0).padStart(20)}   ${((median(written[n]!) * 1000) / n).toFixed(1).padStart(21)}, ${cases.peakRssMb(shape, String(n), 'pieces').toFixed(0)}   (${cases.peakRssMb(shape, String(n), 'plan').toFixed(0)})`,
      )
    }
    console.log(`${shape}: time(10k)/time(1k) = ${(median(times[10000]!) / median(times[1000]!)).toFixed(2)}  (10 = linear)`)
  }
  cases.close()
  // The command a user runs: `sagespec airflow <10,000 steps>.json -o FILE`, each in a fresh process.
  const dir = mkdtempSync(join(tmpdir(), 'sagespec-bench-'))
  try {
    const peaks = (Object.keys(SHAPES) as Array<keyof typeof SHAPES>).map((shape) => {
      const file = join(dir, `${shape}.json`)
      writeFileSync(file, toJson(program(...SHAPES[shape](10000))))
      const runs = [0, 1, 2].map(() => cliPeakRssMb(['airflow', file, '-o', join(dir, 'dag.py')]))
      return `${shape} ${median(runs).toFixed(0)}`
    })
    console.log(`\npeak RSS MB of \`sagespec airflow <10,000 steps>.json -o FILE\` (median of 3 fresh processes): ${peaks.join('  ')}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
