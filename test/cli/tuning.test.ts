import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { tuningCommand } from '../../src/cli/tuning.js'
import { fromResponses, toCsv, toTable } from '../../src/interpret/tuning/analytics.js'
import { toSvg } from '../../src/interpret/tuning/plot.js'
import { scriptedBackend } from '../support/scripted-backend.js'
import { description, summaries } from '../interpret/tuning/fixture.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-tuning-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const tuned = async () => {
  const b = scriptedBackend({ trainingJobsOf: (name) => (name === 'churn-tune-r1' ? summaries : []) })
  await b.send('CreateHyperParameterTuningJob', { HyperParameterTuningJobName: 'churn-tune-r1', HyperParameterTuningJobConfig: description.HyperParameterTuningJobConfig })
  return b
}

const cli = async (...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const b = await tuned()
  const status = await tuningCommand(args, { out: (s) => void out.push(s), err: (s) => void err.push(s) }, { connect: async () => b })
  return { status, out: out.join('\n'), err }
}

describe('sagespec tuning analytics', () => {
  const expected = fromResponses(description, summaries)
  if (E.isLeft(expected)) throw new Error('fixture')

  it('prints the table, and writes the CSV and the SVG plot asked for', async () => {
    const csv = join(dir, 'jobs.csv')
    const svg = join(dir, 'plot.svg')
    const r = await cli('analytics', 'churn-tune-r1', '--csv', csv, '--svg', svg, '--target', 'aws')
    expect(r).toStrictEqual({ status: 0, out: toTable(expected.right), err: [`Wrote CSV to ${csv}`, `Wrote SVG plot to ${svg}`] })
    expect(r.out.split('\n')[2]).toBe('1  churn-tune-r1-005-a1b2c3d5  Completed   0.8931          dart          0.08  5          900s')
    expect(readFileSync(csv, 'utf8')).toBe(toCsv(expected.right))
    expect(readFileSync(svg, 'utf8')).toBe(toSvg(expected.right))
  })

  it('names a tuning job that does not exist, and a file it cannot write', async () => {
    const r = await cli('analytics', 'nope', '--target', 'local')
    expect(r.status).toBe(1)
    expect(r.err).toStrictEqual(['no tuning job "nope": Could not find tuning "nope".'])
    const unwritable = await cli('analytics', 'churn-tune-r1', '--csv', join(dir, 'no', 'such', 'dir.csv'), '--target', 'aws')
    expect(unwritable.status).toBe(1)
    expect(unwritable.err[0]).toMatch(/^--csv .*dir\.csv: ENOENT/)
  })

  it('wants the verb and one tuning job', async () => {
    const r = await cli('analytics', '--target', 'aws')
    expect(r.status).toBe(2)
    expect(r.err[0]!.split('\n')[0]).toBe('expected: analytics <tuning-job>')
  })
})
