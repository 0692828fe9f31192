/**
 * Executor benchmark: the shared executor's own cost per step — resolve, describe-by-name, create,
 * watch, journal — on the in-memory scripted backend (jobs end on their first poll, no sleeps), for
 * 1,000- and 10,000-step programs (a chain, and one training job fanning out to models). Both sizes
 * alternate in one warm process, median of 5, so time(10k)/time(1k) compares like with like
 * (10 = linear). The journal goes to a tmpfs when there is one (/dev/shm), so the figure is the
 * executor's work, not the disk's fsync; a 100-step chain journaled to the temp folder's disk is
 * timed beside the same chain on the tmpfs for that cost.
 *
 *   npx tsx bench/executor.ts
 *
 * Prints times and ratios; never fails on time.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { program, type Step } from '../src/spec/index.js'
import { chain, fanOut } from './programs.js'
import { validate } from '../src/spec/validate.js'
import { toPlan, type Plan } from '../src/interpret/plan/plan.js'
import { run } from '../src/interpret/execute/executor.js'
import { noSleep, scriptedBackend } from '../test/support/scripted-backend.js'

const SHAPES = { chain, fanOut } as const

const planOf = (steps: Step[]): Plan => {
  const v = validate(program(...steps))
  if (E.isLeft(v)) throw new Error(`bench program invalid: ${JSON.stringify(v.left.slice(0, 3))}`)
  return toPlan(v.right)
}

const fast = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()

let runs = 0
const timeRun = async (plan: Plan, base: string): Promise<number> => {
  const stateDir = mkdtempSync(join(base, 'sagespec-bench-executor-'))
  try {
    const backend = scriptedBackend({ polls: () => 0 })
    const t = process.hrtime.bigint()
    const r = await run(plan, { backend, runId: `b${runs++}`, stateDir, sleep: noSleep, logs: false })
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    if (r.status !== 'Completed') throw new Error(`bench run ${r.status}: ${JSON.stringify(r.errors.slice(0, 2))}`)
    return ms
  } finally {
    rmSync(stateDir, { recursive: true, force: true })
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ROUNDS = 5
const SIZES = [1000, 10000] as const

const main = async () => {
  console.log(`executor overhead per step (scripted backend, polls 0, no sleeps; journal in ${fast}): median of ${ROUNDS} rounds, sizes alternating`)
  console.log('shape    steps   total ms   µs/step')
  for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
    const plans = { 1000: planOf(SHAPES[shape](1000)), 10000: planOf(SHAPES[shape](10000)) }
    for (let k = 0; k < 2; k++) await timeRun(planOf(SHAPES[shape](300)), fast)
    const times: Record<number, number[]> = { 1000: [], 10000: [] }
    for (let r = 0; r < ROUNDS; r++) for (const n of SIZES) times[n]!.push(await timeRun(plans[n], fast))
    for (const n of SIZES) console.log(`${shape.padEnd(8)} ${String(n).padStart(6)}  ${median(times[n]!).toFixed(0).padStart(8)}  ${((median(times[n]!) * 1000) / n).toFixed(1).padStart(8)}`)
    console.log(`${shape}: time(10k)/time(1k) = ${(median(times[10000]!) / median(times[1000]!)).toFixed(2)}  (10 = linear)`)
  }
  if (fast !== tmpdir()) {
    const plan = planOf(chain(100))
    const disk: number[] = []
    const shm: number[] = []
    for (let r = 0; r < 3; r++) {
      disk.push(await timeRun(plan, tmpdir()))
      shm.push(await timeRun(plan, fast))
    }
    console.log(
      `\njournal on disk (${tmpdir()}, fsync per write) vs ${fast}, chain of 100, median of 3: ${((median(disk) * 1000) / 100).toFixed(0)} vs ${((median(shm) * 1000) / 100).toFixed(0)} µs/step; ratio ${(median(disk) / median(shm)).toFixed(1)}x`,
    )
  }
}

await main()
