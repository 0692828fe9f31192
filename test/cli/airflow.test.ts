import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { program, toJson, type Program } from '../../src/spec/program.js'
import { training } from '../../src/spec/step.js'
import { code } from '../../src/spec/val.js'
import { packCode } from '../../src/interpret/code/pack.js'
import { toAirflowDag } from '../../src/interpret/airflow/dag.js'
import trainDeploy from '../../examples/train-deploy.js'
import { IMAGE, ROLE, planOf } from '../support/fixtures.js'

const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(['airflow', ...argv], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const base = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/out' } } as const

// Code paths resolve against the working directory, as the reference SDK's do: each test gets its own.
let dir: string
let previous: string
beforeEach(() => {
  previous = process.cwd()
  dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-airflow-'))
  process.chdir(dir)
})
afterEach(() => {
  process.chdir(previous)
  rmSync(dir, { recursive: true, force: true })
})

const writeProgram = (p: Program, name = 'program.json'): string => {
  writeFileSync(join(dir, name), toJson(p))
  return name
}
const writeCode = () => {
  mkdirSync(join(dir, 'src'), { recursive: true })
  mkdirSync(join(dir, 'lib'), { recursive: true })
  writeFileSync(join(dir, 'src', 'train.py'), 'print("hi")\n')
  writeFileSync(join(dir, 'lib', 'util.py'), 'U = 1\n')
}
const codeProgram = (dependencies: string[] = []) =>
  program(training('train', { ...base, hyperParameters: { sagemaker_submit_directory: code({ entryPoint: 'train.py', sourceDir: 'src', dependencies, s3Prefix: 's3://code-bucket/p' }) as never } }))

describe('sagespec airflow', () => {
  it('writes the DAG for an example to -o, the same bytes as toAirflowDag with the options given', async () => {
    const example = join(previous, 'examples', 'train-deploy.ts')
    const r = await run(example, '-o', 'dag.py', '--dag-id', 'churn', '--schedule', '@daily', '--start-date', '2026-03-01', '--default-args', '{"owner": "ml", "retries": 1, "retryDelayMinutes": 5}')
    expect(r.status).toBe(0)
    expect(r.err).toBe('wrote dag.py: DAG "churn", 3 tasks')
    expect(readFileSync(join(dir, 'dag.py'), 'utf8')).toBe(
      toAirflowDag(planOf(trainDeploy), {
        dagId: 'churn',
        schedule: '@daily',
        startDate: '2026-03-01',
        defaultArgs: { owner: 'ml', retries: 1, retryDelayMinutes: 5 },
        runStamp: 'ts_nodash',
        source: example,
        code: new Map(),
      }),
    )
  })

  it('writes -o whole (a temporary file renamed over it, none left behind), and standard output the same bytes in pieces', async () => {
    const file = writeProgram(program(training('a', base), training('b', { ...base, hyperParameters: { x: '1' } })))
    writeFileSync(join(dir, 'dag.py'), 'an older DAG\n')
    expect((await run(file, '-o', 'dag.py')).status).toBe(0)
    const written = readFileSync(join(dir, 'dag.py'), 'utf8')
    expect(written).toBe(toAirflowDag(planOf(program(training('a', base), training('b', { ...base, hyperParameters: { x: '1' } }))), {
      dagId: 'program', schedule: null, startDate: '2024-01-01', runStamp: 'ts_nodash', source: file, code: new Map(),
    }))
    expect(readdirSync(dir).sort()).toEqual(['dag.py', 'program.json'])
    const bytes: Uint8Array[] = []
    const status = await main(['airflow', file], { out: () => expect.unreachable('written as bytes'), err: () => undefined, write: (b) => void bytes.push(b) })
    expect(status).toBe(0)
    expect(Buffer.concat(bytes).toString('utf8')).toBe(written)
    // A folder that is not there: an error naming the file, and nothing left behind.
    const r = await run(file, '-o', join('missing', 'dag.py'))
    expect(r.status).toBe(1)
    expect(r.err).toMatch(/^missing\/dag\.py: cannot write the DAG \(/)
    expect(readdirSync(dir).sort()).toEqual(['dag.py', 'program.json'])
  })

  it('prints to standard output by default, naming the DAG after the program file, manual runs only', async () => {
    const r = await run(writeProgram(program(training('train', base)), 'nightly-churn.json'))
    expect(r.status).toBe(0)
    expect(r.out).toContain("dag_id='nightly-churn',\n    schedule=None,\n    start_date=pendulum.datetime(2024, 1, 1, tz='UTC'),")
  })

  it('binds --param values into the configs and drops them from the DAG params', async () => {
    const r = await run(join(previous, 'examples', 'train-deploy.ts'), '--param', 'epochs=7')
    expect(r.status).toBe(0)
    expect(r.out).toContain("'num_round': '7',")
    expect(r.out).not.toContain("'epochs': Param(")
    expect(r.out).toContain("'instanceType': Param(")
  })

  it('refuses local-only programs, naming the path, and writes nothing', async () => {
    const file = writeProgram(program(training('train', { ...base, channels: { train: { uri: 'file:///data/train' } } })))
    const r = await run(file, '-o', 'dag.py')
    expect(r.status).toBe(1)
    expect(r.err).toContain('program.json: 1 problem exporting to Airflow; no DAG was written.')
    expect(r.err).toContain('steps.train.InputDataConfig.0.DataSource.FileDataSource.FileUri: "file:///data/train" is a local file:// location')
    expect(existsSync(join(dir, 'dag.py'))).toBe(false)
  })

  it('rejects bad options with the reason', async () => {
    const file = writeProgram(program(training('train', base)))
    expect((await run(file, '--default-args', '{oops')).err).toMatch(/^--default-args: not valid JSON/)
    expect((await run(file, '--default-args', '{"owner": "ml", "pool": "x"}')).err).toBe('--default-args: unknown key "pool" (expected owner, retries, retryDelayMinutes, email, emailOnFailure, executionTimeoutMinutes)')
    expect((await run(file, '--run-stamp', 'now')).status).toBe(2)
    expect((await run(file, '--worker-code-root', 'relative')).status).toBe(2)
    const bad = await run(file, '--schedule', 'sometimes', '--start-date', '2026-13-01', '--default-args', '{"retries": -1}')
    // Options are usage errors, found before the program is loaded (exit 2, like the other flags).
    expect(bad.status).toBe(2)
    expect(bad.err.split('\n')).toEqual([
      '--schedule: expected a cron expression of 5 fields, one of @once, @continuous, @hourly, @daily, @weekly, @monthly, @quarterly, @yearly, or none, found "sometimes"',
      '--start-date: expected a date as YYYY-MM-DD, found "2026-13-01"',
      '--default-args.retries: expected a whole number >= 0, found -1',
    ])
  })

  it('--aws-conn-id and --region reach every task; a bad region is a usage error', async () => {
    const file = writeProgram(program(training('train', base)))
    const r = await run(file, '--aws-conn-id', 'ml_aws', '--region', 'eu-west-1', '--default-args', '{"email": ["ml@example.com"], "emailOnFailure": true, "executionTimeoutMinutes": 60}')
    expect(r.status).toBe(0)
    expect(r.out).toContain("        aws_conn_id='ml_aws',\n        region_name='eu-west-1',\n")
    expect(r.out).toContain("'execution_timeout': timedelta(minutes=60)")
    expect(r.out).toContain("'email_on_failure': True")
    const bad = await run(file, '--region', 'Oregon')
    expect(bad).toMatchObject({ status: 2, err: '--region: expected an AWS region such as "us-west-2", found "Oregon"' })
  })

  describe('code', () => {
    it('by default lets the task tar the source directory, under a key named by the hash of the packed files', async () => {
      writeCode()
      const p = packCode(code({ entryPoint: 'train.py', sourceDir: 'src', s3Prefix: 's3://code-bucket/p' }), { cwd: dir })
      const sha = E.isRight(p) ? p.right.sha256 : ''
      const r = await run(writeProgram(codeProgram()))
      expect(r.status).toBe(0)
      expect(r.out).toContain(`'Path': '${join(dir, 'src')}',`)
      expect(r.out).toContain(`'Key': 'p/${sha}/sourcedir.tar.gz',`)
      expect(r.out).toContain("'Tar': True,")
      expect(r.out).toContain(`'sagemaker_submit_directory': 's3://code-bucket/p/${sha}/sourcedir.tar.gz'`)
    })

    it('maps code paths to where the workers have them with --worker-code-root', async () => {
      writeCode()
      const r = await run(writeProgram(codeProgram()), '--worker-code-root', '/opt/airflow/dags/churn/')
      expect(r.out).toContain("'Path': '/opt/airflow/dags/churn/src',")
    })

    it('refuses code with dependencies unless --code-archive-dir packs an archive the DAG uploads as it is', async () => {
      writeCode()
      const file = writeProgram(codeProgram(['lib']))
      const refused = await run(file)
      expect(refused.status).toBe(1)
      expect(refused.err).toContain('steps.train.HyperParameters.sagemaker_submit_directory: code with dependencies (lib) cannot be tarred by the operator')
      const r = await run(file, '--code-archive-dir', 'archives')
      expect(r.status).toBe(0)
      const p = packCode(code({ entryPoint: 'train.py', sourceDir: 'src', dependencies: ['lib'], s3Prefix: 's3://code-bucket/p' }), { cwd: dir })
      if (E.isLeft(p)) throw new Error('pack failed')
      const archive = join(dir, 'archives', p.right.sha256, 'sourcedir.tar.gz')
      expect(new Uint8Array(gunzipSync(readFileSync(archive)))).toEqual(p.right.tar)
      expect(r.out).toContain(`'Path': '${archive}',`)
      expect(r.out).toContain("'Tar': False,")
    })

    it('reports code that cannot be packed', async () => {
      const r = await run(writeProgram(codeProgram()))
      expect(r.status).toBe(1)
      // Found with the validation errors, at the code's place in the step, before anything is written.
      expect(r.err).toBe('program.json: 1 problem; nothing was planned or run.\n  steps.train.hyperParameters.sagemaker_submit_directory.sourceDir: src does not exist')
    })
  })
})
