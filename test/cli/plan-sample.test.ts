import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { isExpr } from '../../src/spec/val.js'
import { SAMPLE_RUN_ID } from '../../src/interpret/plan/sample.js'
import { assertValidRequest, serviceModelOrSkip } from '../support/service-model.js'

const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(['plan', ...argv], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-sample-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Every symbolic leaf left anywhere in a value, with its path. */
const symbolic = (v: unknown, at = ''): ReadonlyArray<string> => {
  if (isExpr(v)) return [at]
  if (Array.isArray(v)) return v.flatMap((x, i) => symbolic(x, `${at}.${i}`))
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => symbolic(x, `${at}.${k}`))
  return []
}

const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`)
const service = serviceModelOrSkip()

describe('sagespec plan --sample', () => {
  it.each(EXAMPLES)('%s: the JSON plan holds literal requests only, each valid against the service model', async (file) => {
    const r = await run(file, '--format', 'json', '--sample')
    expect(r.err).toBe('')
    expect(r.status).toBe(0)
    const plan = JSON.parse(r.out) as { sample: string; steps: ReadonlyArray<{ physicalName: unknown; requests: ReadonlyArray<{ _tag: string; input: unknown }> }> }
    expect(plan.sample).toContain(SAMPLE_RUN_ID)
    expect(symbolic(plan.steps)).toEqual([])
    if (service.model !== undefined) for (const q of plan.steps.flatMap((s) => s.requests)) assertValidRequest(service.model, q._tag, q.input)
  })

  it('the text plan shows sample values where <run>, params and refs were, and says they are samples', async () => {
    const plain = await run('examples/train-deploy.ts')
    expect(plain.out).toMatch(/<run>|<param:|<train\./)
    const r = await run('examples/train-deploy.ts', '--sample', '--param', 'instanceType=ml.c5.2xlarge')
    expect(r.status).toBe(0)
    expect(r.out).not.toMatch(/<run>|<param:|<train\./)
    expect(r.out).toContain(`every run-time value below is a sample (run stamp ${SAMPLE_RUN_ID}`)
    expect(r.out).toContain(`1. train (Training) → train-${SAMPLE_RUN_ID}`)
    // A bound param's value, not its default.
    expect(r.out).toContain('"InstanceType": "ml.c5.2xlarge"')
  })

  it('a plan given back as a program says what it is and what to give instead', async () => {
    const json = await run('examples/train-deploy.ts', '--format', 'json')
    const file = join(dir, 'plan.json')
    writeFileSync(file, json.out)
    const r = await run(file)
    expect(r.status).toBe(1)
    expect(r.err).toContain('this is a plan (what "sagespec plan --format json" writes), not a program. Give the program it was planned from')
    expect(r.err).not.toContain('unknown field')
  })
})
