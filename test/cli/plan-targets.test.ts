/**
 * `file://` locations at plan time: the text and JSON plans say which targets can run the plan, and
 * `plan --target` turns what a target refuses into errors at their paths, worded as run/export word them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { program, toJson, training } from '../../src/index.js'
import { IMAGE, ROLE } from '../support/fixtures.js'

const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(['plan', ...argv], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const dir = mkdtempSync(join(tmpdir(), 'sagespec-plan-targets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const data = join(dir, 'data')
mkdirSync(data)
writeFileSync(join(data, 'rows.csv'), '1,2\n')

const write = (name: string, channel: string, output: string): string => {
  const file = join(dir, name)
  const train = training('train', { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, channels: { train: { uri: channel } }, output: { s3OutputPath: output } })
  writeFileSync(file, toJson(program(train)))
  return file
}

const localIn = write('local-in.json', `file://${data}`, 's3://bucket/out')
const localBoth = write('local-both.json', `file://${data}`, 'file:///tmp/out')
const cloud = write('cloud.json', 's3://bucket/in', 's3://bucket/out')

describe('plan: which targets can run file:// locations', () => {
  it('the text plan says local yes, aws only with --upload-local-data, airflow no', async () => {
    const r = await run(localIn)
    expect(r.status).toBe(0)
    expect(r.out).toContain('Targets: this plan names 1 file:// location')
    expect(r.out).toContain('  local    yes')
    expect(r.out).toContain('  aws      only with --upload-local-data s3://bucket/prefix, which uploads steps.train.channels.train.uri first')
    expect(r.out).toMatch(/ {2}airflow {2}no: steps\.train\.channels\.train\.uri \(an Airflow DAG runs on SageMaker/)
  })

  it('a file:// output refuses aws, naming the output', async () => {
    const r = await run(localBoth)
    expect(r.out).toContain('  aws      no: steps.train.OutputDataConfig.S3OutputPath (SageMaker writes outputs')
  })

  it('the JSON plan carries the same verdicts; a plan without file:// has none', async () => {
    const plan = JSON.parse((await run(localBoth, '--format', 'json')).out)
    expect(plan.targets.local).toStrictEqual({ _tag: 'Runs' })
    expect(plan.targets.aws._tag).toBe('Refused')
    expect(plan.targets.aws.paths).toStrictEqual(['steps.train.OutputDataConfig.S3OutputPath'])
    expect(plan.targets.airflow.paths).toStrictEqual(['steps.train.channels.train.uri', 'steps.train.OutputDataConfig.S3OutputPath'])
    expect('targets' in JSON.parse((await run(cloud, '--format', 'json')).out)).toBe(false)
    expect((await run(cloud)).out).not.toContain('Targets:')
  })
})

describe('plan --target', () => {
  it('aws: a file:// channel is an error at its path with the fix, unless --upload-local-data is given', async () => {
    const r = await run(localIn, '--target', 'aws')
    expect(r.status).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toContain('1 problem for --target aws')
    expect(r.err).toContain('steps.train.channels.train.uri: expected an s3:// location (SageMaker reads data from S3, not this machine): upload it first, or run with --upload-local-data s3://bucket/prefix')
    expect((await run(localIn, '--target', 'aws', '--upload-local-data', 's3://bucket/staged')).status).toBe(0)
  })

  it('aws: a file:// output is refused even with --upload-local-data', async () => {
    const r = await run(localBoth, '--target', 'aws', '--upload-local-data', 's3://bucket/staged')
    expect(r.status).toBe(1)
    expect(r.err).toContain('steps.train.OutputDataConfig.S3OutputPath: expected an s3:// location (SageMaker reads and writes S3, not this machine; a file:// location is for --target local)')
  })

  it('airflow: every file:// location, in the export\'s words', async () => {
    const r = await run(localBoth, '--target', 'airflow')
    expect(r.status).toBe(1)
    expect(r.err).toContain('2 problems for --target airflow')
    expect(r.err).toContain('is a local file:// location, which only local runs can read; an Airflow DAG runs on SageMaker, so use an s3:// location')
  })

  it('local: runs file:// data that exists, refuses a folder that does not', async () => {
    expect((await run(localBoth, '--target', 'local')).status).toBe(0)
    const missing = write('missing.json', `file://${join(dir, 'nowhere')}`, 'file:///tmp/out')
    const r = await run(missing, '--target', 'local')
    expect(r.status).toBe(1)
    expect(r.err).toContain('steps.train.channels.train.uri: expected a file or folder that exists')
  })

  it('cloud data passes every target; an unknown target is a usage error', async () => {
    for (const t of ['aws', 'local', 'airflow']) expect((await run(cloud, '--target', t)).status).toBe(0)
    const r = await run(cloud, '--target', 'gcp')
    expect(r.status).toBe(2)
    expect(r.err).toContain('unknown --target "gcp" (expected local, aws, airflow)')
    expect((await run(cloud, '--upload-local-data', 's3://b/p')).status).toBe(2)
  })
})
