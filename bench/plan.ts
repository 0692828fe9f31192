/**
 * Plan benchmark: validate + plan + JSON (and the text render beside it) for 1,000- and 10,000-step
 * programs (chains and fan-outs), both sizes alternating in one warm process; the validation alone is a
 * figure of its own, in rounds of its own, so a regression shows where it is. Peak memory: a fresh process per size (plain
 * node on a bundle, see peak-rss.ts) building the program, then validate + plan + JSON as one string
 * (and, apart, JSON written in pieces to a file as the CLI writes it, and text instead of JSON); beside
 * it the same process idle (modules loaded, nothing built).
 * Then cold starts beside `node -e 0`, interleaved in the same run: `sagespec plan` on the README's
 * TypeScript example and on the same program as JSON (through `node bin/sagespec.js` and through
 * `npx`), and `sagespec --help`. The CLI runs from its build (`npm run build`). Beside the library's peak
 * memory, the CLI's own: `sagespec plan` of the 10,000-step programs as JSON files, written to a file.
 *
 *   npx tsx bench/plan.ts
 *
 * Prints ratios; never fails on time.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { devNull, tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { dirname, join as joinPath } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { program, toJson, type Program } from '../src/spec/index.js'
import { chain, fanOut } from './programs.js'
import { validate } from '../src/spec/validate.js'
import { toPlan } from '../src/interpret/plan/plan.js'
import { toText } from '../src/interpret/dry-run/text.js'
import { toJsonPlan, writeJsonPlan } from '../src/interpret/dry-run/json.js'
import { caseRunner, cliPeakRssMb, reportPeakRss } from './peak-rss.js'

const SHAPES = { chain, fanOut } as const

const runCase = (shape: keyof typeof SHAPES, n: number, renders: { readonly json: boolean; readonly text: boolean } = { json: true, text: true }) => {
  const p = program(...SHAPES[shape](n))
  const t0 = process.hrtime.bigint()
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(`bench program invalid: ${JSON.stringify(v.left.slice(0, 3))}`)
  const t1 = process.hrtime.bigint()
  const plan = toPlan(v.right)
  const t2 = process.hrtime.bigint()
  const json = renders.json ? toJsonPlan(plan) : ''
  const t3 = process.hrtime.bigint()
  const text = renders.text ? toText(plan) : ''
  const t4 = process.hrtime.bigint()
  return {
    validateMs: Number(t1 - t0) / 1e6,
    planMs: Number(t2 - t1) / 1e6,
    jsonMs: Number(t3 - t2) / 1e6,
    textMs: Number(t4 - t3) / 1e6,
    bytes: json.length + text.length,
  }
}

/** The validation alone (no plan), timed on its own. */
const validateCase = (shape: keyof typeof SHAPES, n: number) => {
  const p = program(...SHAPES[shape](n))
  const t0 = process.hrtime.bigint()
  if (E.isLeft(validate(p))) throw new Error('bench program invalid')
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** As `sagespec plan --format json` writes a plan (to stdout or `-o`): in pieces, to a file (here the null device). */
const writtenInPieces = (shape: keyof typeof SHAPES, n: number): void => {
  const v = validate(program(...SHAPES[shape](n)))
  if (E.isLeft(v)) throw new Error('bench program invalid')
  const fd = openSync(devNull, 'w')
  try {
    writeJsonPlan(toPlan(v.right), {}, (chunk) => void writeSync(fd, chunk))
  } finally {
    closeSync(fd)
  }
}

const here = dirname(fileURLToPath(import.meta.url))
const root = joinPath(here, '..')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Median wall time of each command, the commands interleaved run by run so load hits all alike. */
const walls = (cmds: ReadonlyArray<{ readonly cmd: string; readonly args: ReadonlyArray<string> }>, runs: number): number[] => {
  const times: number[][] = cmds.map(() => [])
  for (let i = 0; i < runs; i++)
    cmds.forEach(({ cmd, args }, k) => {
      const t = process.hrtime.bigint()
      const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore' })
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (is the CLI built? npm run build)`)
      times[k]!.push(Number(process.hrtime.bigint() - t) / 1e6)
    })
  return times.map(median)
}

const ROUNDS = 7

/**
 * Both sizes alternating in one warm process, so neither gets the JIT or the GC to itself; validation
 * alone in rounds of its own (a 1,000-step plan right after a 10,000-step validation paid for
 * collecting that validation's garbage).
 */
const timeShape = (shape: keyof typeof SHAPES) => {
  for (let k = 0; k < 3; k++) runCase(shape, 500)
  const out: Record<number, Array<ReturnType<typeof runCase>>> = { 1000: [], 10000: [] }
  const validateOnly: Record<number, number[]> = { 1000: [], 10000: [] }
  for (let r = 0; r < ROUNDS; r++)
    for (const n of [1000, 10000]) out[n]!.push(runCase(shape, n))
  for (let r = 0; r < ROUNDS; r++)
    for (const n of [1000, 10000]) validateOnly[n]!.push(validateCase(shape, n))
  return { out, validateOnly }
}

const main = async () => {
  const i = process.argv.indexOf('--case')
  if (i >= 0) {
    // Peak memory of one size on its own, in a fresh process (or of the process idle).
    const render = process.argv[i + 3]
    if (render === 'json-pieces') writtenInPieces(process.argv[i + 1] as keyof typeof SHAPES, Number(process.argv[i + 2]))
    else if (process.argv[i + 1] !== 'idle') runCase(process.argv[i + 1] as keyof typeof SHAPES, Number(process.argv[i + 2]), { json: render === 'json', text: render === 'text' })
    reportPeakRss()
    return
  }
  const cases = await caseRunner(fileURLToPath(import.meta.url))
  const idle = cases.peakRssMb('idle')
  console.log(`per step: median of ${ROUNDS} rounds, sizes alternating in one warm process; total = validate + plan + JSON`)
  console.log(`peak RSS: own process (node on a bundle), building the program included; the same process idle: ${idle.toFixed(0)} MB`)
  console.log('shape    steps  validate-only µs  plan µs  JSON µs  total µs/step  (text µs)  peak RSS MB (JSON string; JSON written in pieces, as the CLI does; text)')
  for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
    const { out, validateOnly } = timeShape(shape)
    const totals: Record<number, number> = {}
    for (const n of [1000, 10000]) {
      const rs = out[n]!
      const v = median(validateOnly[n]!)
      const p = median(rs.map((r) => r.planMs))
      const j = median(rs.map((r) => r.jsonMs))
      const t = median(rs.map((r) => r.textMs))
      totals[n] = median(rs.map((r) => r.validateMs + r.planMs + r.jsonMs))
      const perStep = (ms: number) => ((ms * 1000) / n).toFixed(1).padStart(8)
      const rss = cases.peakRssMb(shape, String(n), 'json')
      const rssPieces = cases.peakRssMb(shape, String(n), 'json-pieces')
      const rssText = cases.peakRssMb(shape, String(n), 'text')
      console.log(`${shape.padEnd(8)} ${String(n).padStart(6)}      ${perStep(v)}     ${perStep(p)} ${perStep(j)}   ${perStep(totals[n]!)}    ${perStep(t)}      ${rss.toFixed(0).padStart(6)}; ${rssPieces.toFixed(0)}; ${rssText.toFixed(0)}`)
    }
    console.log(`${shape}: time(10k)/time(1k) = ${(totals[10000]! / totals[1000]!).toFixed(2)}  (10 = linear)`)
  }
  cases.close()
  cliPeaks()
  if (process.argv.includes('--no-cold-start')) return

  // The README's TypeScript example, and the same program as JSON.
  const dir = mkdtempSync(joinPath(tmpdir(), 'sagespec-bench-'))
  try {
    const json = joinPath(dir, 'train-deploy.json')
    writeFileSync(json, await jsonProgram())
    const bin = joinPath(root, 'bin', 'sagespec.js')
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
    const cases = [
      { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
      { label: 'node bin/sagespec.js plan examples/train-deploy.ts', cmd: process.execPath, args: [bin, 'plan', 'examples/train-deploy.ts'] },
      { label: 'node bin/sagespec.js plan train-deploy.json', cmd: process.execPath, args: [bin, 'plan', json] },
      { label: 'node bin/sagespec.js --help', cmd: process.execPath, args: [bin, '--help'] },
      { label: 'npx sagespec plan examples/train-deploy.ts', cmd: npx, args: ['sagespec', 'plan', 'examples/train-deploy.ts'] },
      { label: 'npx sagespec plan train-deploy.json', cmd: npx, args: ['sagespec', 'plan', json] },
    ]
    const RUNS = 7
    const ms = walls(cases, RUNS)
    console.log(`\ncold start, median of ${RUNS} interleaved runs:`)
    cases.forEach((c, k) => console.log(`  ${c.label.padEnd(52)} ${ms[k]!.toFixed(0).padStart(5)} ms  ${(ms[k]! / ms[0]!).toFixed(2)}x node -e 0`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Peak RSS of the command a user runs, `sagespec plan <10,000-step program>.json -o FILE` (the launcher on
 * the built bundle), each format and shape in a fresh process, median of 3.
 */
const cliPeaks = (): void => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'sagespec-bench-'))
  try {
    console.log('\npeak RSS MB of `sagespec plan <10,000 steps>.json -o FILE` (median of 3 fresh processes; the CLI idle, --help: ' + cliPeakRssMb(['--help']).toFixed(0) + ' MB)')
    for (const shape of Object.keys(SHAPES) as Array<keyof typeof SHAPES>) {
      const file = joinPath(dir, `${shape}.json`)
      writeFileSync(file, toJson(program(...SHAPES[shape](10000))))
      const peaks = (['json', 'text'] as const).map((format) => {
        const runs = [0, 1, 2].map(() => cliPeakRssMb(['plan', file, '--format', format, '-o', joinPath(dir, 'out')]))
        return `${format} ${median(runs).toFixed(0)}`
      })
      console.log(`  ${shape.padEnd(8)} ${peaks.join('  ')}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The README example's program as JSON (built from the module itself). */
const jsonProgram = async (): Promise<string> => {
  const mod = (await import('../examples/train-deploy.js')) as { default: Program | (() => Program) }
  return toJson(typeof mod.default === 'function' ? mod.default() : mod.default)
}

await main()
