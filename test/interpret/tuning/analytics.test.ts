import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { fromResponses, toCsv, toTable, tuningAnalytics, type TuningAnalytics } from '../../../src/interpret/tuning/analytics.js'
import { escapeXml, niceAxis, toSvg } from '../../../src/interpret/tuning/plot.js'
import { scriptedBackend } from '../../support/scripted-backend.js'
import { description, summaries } from './fixture.js'

const analytics = (d = description, s = summaries): TuningAnalytics => {
  const a = fromResponses(d, s)
  if (E.isLeft(a)) throw new Error(JSON.stringify(a.left))
  return a.right
}

const minimize = (metric: string) => ({
  ...description,
  HyperParameterTuningJobConfig: { ...description.HyperParameterTuningJobConfig!, HyperParameterTuningJobObjective: { Type: 'Minimize' as const, MetricName: metric } },
})

describe('tuning analytics', () => {
  it('ranks the jobs best first by the objective type, jobs without an objective last by name', () => {
    const a = analytics()
    expect(a.objective).toStrictEqual({ metric: 'validation:auc', type: 'Maximize' })
    expect(a.hyperParameterNames).toStrictEqual(['booster', 'eta', 'max_depth'])
    // 005 and 006 tie at 0.8931: the name decides.
    expect(a.jobs.map((j) => [j.name.slice(14, 17), j.objective])).toStrictEqual([
      ['005', 0.8931],
      ['006', 0.8931],
      ['002', 0.8675],
      ['004', 0.8551],
      ['001', 0.8412],
      ['003', undefined],
      ['007', undefined],
    ])
    expect(analytics(minimize('validation:auc')).jobs.map((j) => j.name.slice(14, 17))).toStrictEqual(['001', '004', '002', '005', '006', '003', '007'])
  })

  it('shows categorical values without the quotes the service puts around them', () => {
    const a = analytics()
    expect(a.jobs.find((j) => j.name.includes('-004-'))!.hyperParameters).toStrictEqual({ eta: '0.05', max_depth: '8', booster: 'say "hi", ok' })
    expect(a.jobs.find((j) => j.name.includes('-005-'))!.hyperParameters['booster']).toBe('dart')
  })

  it('prints a table with a rank, the objective, each hyperparameter and the time', () => {
    expect(toTable(analytics())).toBe(
      [
        'Tuning job churn-tune-r1: 7 training jobs, 5 with validation:auc (higher is better)',
        '#  TRAINING JOB                STATUS      validation:auc  booster       eta   max_depth  TIME',
        '1  churn-tune-r1-005-a1b2c3d5  Completed   0.8931          dart          0.08  5          900s',
        '2  churn-tune-r1-006-a1b2c3d6  Completed   0.8931          gbtree        0.07  5          840s',
        '3  churn-tune-r1-002-a1b2c3d2  Completed   0.8675          dart          0.12  4          900s',
        '4  churn-tune-r1-004-a1b2c3d4  Completed   0.8551          say "hi", ok  0.05  8          840s',
        '5  churn-tune-r1-001-a1b2c3d1  Completed   0.8412          gbtree        0.3   6          720s',
        '-  churn-tune-r1-003-a1b2c3d3  Failed      -               gbtree        0.5   10         60s',
        '-  churn-tune-r1-007-a1b2c3d7  InProgress  -               dart          0.09  7          -',
      ].join('\n'),
    )
  })

  it('writes CSV in a stable column order, quoted as RFC 4180 says', () => {
    expect(toCsv(analytics())).toBe(
      [
        'TrainingJobName,TrainingJobStatus,FinalObjectiveValue,TrainingStartTime,TrainingEndTime,TrainingElapsedTimeSeconds,booster,eta,max_depth',
        'churn-tune-r1-005-a1b2c3d5,Completed,0.8931,2026-03-14T09:16:00.000Z,2026-03-14T09:31:00.000Z,900,dart,0.08,5',
        'churn-tune-r1-006-a1b2c3d6,Completed,0.8931,2026-03-14T09:30:00.000Z,2026-03-14T09:44:00.000Z,840,gbtree,0.07,5',
        'churn-tune-r1-002-a1b2c3d2,Completed,0.8675,2026-03-14T09:00:00.000Z,2026-03-14T09:15:00.000Z,900,dart,0.12,4',
        'churn-tune-r1-004-a1b2c3d4,Completed,0.8551,2026-03-14T09:15:00.000Z,2026-03-14T09:29:00.000Z,840,"say ""hi"", ok",0.05,8',
        'churn-tune-r1-001-a1b2c3d1,Completed,0.8412,2026-03-14T09:00:00.000Z,2026-03-14T09:12:00.000Z,720,gbtree,0.3,6',
        'churn-tune-r1-003-a1b2c3d3,Failed,,2026-03-14T09:13:00.000Z,2026-03-14T09:14:00.000Z,60,gbtree,0.5,10',
        'churn-tune-r1-007-a1b2c3d7,InProgress,,2026-03-14T09:32:00.000Z,,,dart,0.09,7',
        '',
      ].join('\n'),
    )
  })

  it('draws the objective per job over time and the best so far (golden SVG)', async () => {
    const svg = toSvg(analytics())
    await expect(svg).toMatchFileSnapshot('__golden__/churn-tune.svg')
    // Same jobs, same bytes; the order the service listed them in does not matter.
    expect(toSvg(analytics(description, [...summaries].reverse()))).toBe(svg)
  })

  it('the best-so-far line steps up only when a job beats the best', () => {
    const svg = toSvg(analytics())
    const path = /<path d="([^"]+)"/.exec(svg)![1]!
    // Jobs end at minutes 12 (0.8412), 15 (0.8675), 29 (0.8551: no step), 31 (0.8931), 44 (a tie: no step).
    expect(path.match(/V/g)).toHaveLength(2)
    expect(svg.match(/<circle cx=/g)).toHaveLength(5 + 2) // the jobs, and the legend's two
  })

  it('escapes text, and draws an empty plot when no job has an objective yet', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;')
    const odd = toSvg(analytics(minimize('loss <&> "x"')))
    expect(odd).toContain('<text x="12" y="68" font-weight="bold">loss &lt;&amp;&gt; &quot;x&quot;</text>')
    expect(odd).not.toMatch(/<&|"x"/)
    const empty = toSvg(analytics(description, summaries.filter((s) => s.FinalHyperParameterTuningJobObjectiveMetric === undefined)))
    expect(empty).toContain('No training job has reported validation:auc yet.')
    expect(empty).not.toContain('<circle')
  })

  it('picks round ticks that cover the values', () => {
    expect(niceAxis(0.8412, 0.8931)).toStrictEqual({ min: 0.84, max: 0.9, ticks: [0.84, 0.86, 0.88, 0.9], decimals: 2 })
    expect(niceAxis(0, 44)).toMatchObject({ min: 0, max: 50, ticks: [0, 10, 20, 30, 40, 50], decimals: 0 })
    // One value: an axis around it.
    expect(niceAxis(5, 5)).toMatchObject({ min: 4.4, max: 5.6 })
  })

  it('is an error value when the tuning job names no objective', () => {
    const d = { ...description, HyperParameterTuningJobConfig: { ...description.HyperParameterTuningJobConfig!, HyperParameterTuningJobObjective: undefined } }
    expect(fromResponses(d, summaries)).toStrictEqual(E.left({ _tag: 'NoObjective', tuningJob: 'churn-tune-r1' }))
  })

  it('reads every page of the training jobs through the backend', async () => {
    const many = Array.from({ length: 230 }, (_, i) => ({ ...summaries[0]!, TrainingJobName: `t-${String(i).padStart(3, '0')}`, FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:auc', Value: i / 1000 } }))
    const backend = scriptedBackend({ trainingJobsOf: (name) => (name === 'churn-tune-r1' ? many : []) })
    await backend.send('CreateHyperParameterTuningJob', { HyperParameterTuningJobName: 'churn-tune-r1', HyperParameterTuningJobConfig: description.HyperParameterTuningJobConfig })
    const a = await tuningAnalytics(backend, 'churn-tune-r1')
    expect(E.isRight(a) && a.right.jobs.length).toBe(230)
    expect(E.isRight(a) && a.right.jobs[0]!.name).toBe('t-229')
    expect(backend.calls.filter((c) => c.op === 'ListTrainingJobsForHyperParameterTuningJob').map((c) => c.input.NextToken)).toStrictEqual([undefined, '100', '200'])
    expect(await tuningAnalytics(backend, 'nope')).toMatchObject(E.left({ _tag: 'NotFound', op: 'DescribeHyperParameterTuningJob' }))
  })
})
