/**
 * Run-time values that must be printed as JSON (a string param in a JSON-encoded job, a boolean or a
 * number in a string field) decode to the same value whether the AWS runner resolves the plan or
 * Airflow renders the DAG with Jinja2 — even when the text holds quotes, backslashes or `<'&>`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { param, program, resolve, toAirflowDag, toPlan, training, validate } from '../../../src/index.js'
import { JINJA_REASON, JINJA_SKIP, renderDags } from './harness.js'

const nasty = `say "hi" \\ <b>&'x'</b> ünï`
const label = param.string('label', { default: nasty })
const flag = param.boolean('flag', { default: true })
const rate = param.float('rate', { default: 0.25 })

const job = (encoding: 'plain' | 'json') =>
  training('train', {
    image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/x:1',
    role: 'arn:aws:iam::111122223333:role/R',
    resources: { instanceType: 'ml.m5.large' },
    output: { s3OutputPath: 's3://b/o' },
    hyperParameters: { label, flag, rate },
    hyperParameterEncoding: encoding,
    environment: { RATE: rate as never },
  })

const planOf = (encoding: 'plain' | 'json') => {
  const v = validate(program(job(encoding)))
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return toPlan(v.right)
}

const hyperParameters = (encoding: 'plain' | 'json') =>
  (
    resolve(planOf(encoding).steps[0]!.requests[0]!.input as never, {
      ref: () => 'unused',
      param: (p) => ({ label: nasty, flag: true, rate: 0.25 })[p.name as 'label' | 'flag' | 'rate'],
      runId: '20261125T000000',
      code: () => 'unused',
    }) as { HyperParameters: Record<string, string>; Environment: Record<string, string> }
  )

describe('JSON-printed run-time values', () => {
  it('the plan resolves a json-encoded string param to JSON that decodes to the value itself', () => {
    const { HyperParameters: hp, Environment: env } = hyperParameters('json')
    expect(JSON.parse(hp.label!)).toBe(nasty)
    expect(hp.flag).toBe('true')
    expect(hp.rate).toBe('0.25')
    expect(env.RATE).toBe('0.25')
  })

  it('plain encoding keeps strings as they are and prints booleans as true/false', () => {
    const { HyperParameters: hp } = hyperParameters('plain')
    expect(hp).toEqual({ label: nasty, flag: 'true', rate: '0.25' })
  })

  describe.skipIf(JINJA_SKIP)(`rendered by Jinja2 as Airflow does${JINJA_SKIP ? ` (skipped: ${JINJA_REASON})` : ''}`, () => {
    it('Airflow gives the same decoded values, not Python spellings such as True', () => {
      const context = { mode: 'values' as const, xcom: {}, params: { label: nasty, flag: true, rate: 0.25 }, ts_nodash: '20261125T000000', ds_nodash: '20261125', run_id: 'r', dag_id: 'd' }
      const [json, plain] = renderDags(
        (['json', 'plain'] as const).map((e) => ({ source: toAirflowDag(planOf(e), { dagId: 'd', source: 'test', schedule: null, startDate: '2026-01-01' }), context })),
      )
      const jhp = json!['train_config']!.config.HyperParameters as Record<string, string>
      expect(JSON.parse(jhp.label!)).toBe(nasty)
      expect(jhp.flag).toBe('true')
      expect(JSON.parse(jhp.rate!)).toBe(0.25)
      expect(plain!['train_config']!.config.HyperParameters).toEqual({ label: nasty, flag: 'true', rate: '0.25' })
      expect((plain!['train_config']!.config.Environment as Record<string, string>).RATE).toBe('0.25')
    })
  })
})
