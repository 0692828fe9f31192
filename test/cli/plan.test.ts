import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { toJson } from '../../src/spec/program.js'
import trainDeploy from '../../examples/train-deploy.js'

const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(['plan', ...argv], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-plan-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const writeJson = (name: string, value: unknown): string => {
  const file = join(dir, name)
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return file
}

interface JsonPlan {
  readonly params: ReadonlyArray<{ readonly name: string }>
  readonly steps: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly dependsOn: ReadonlyArray<string>; readonly requests: ReadonlyArray<{ _tag: string; input: any }> }>
}

describe('sagespec plan', () => {
  it('prints the text plan of an example and exits 0', async () => {
    const r = await run('examples/train-deploy.ts')
    expect(r.status).toBe(0)
    expect(r.err).toBe('')
    expect(r.out.startsWith("Plan: 3 steps, 2 parameters. Nothing has run; <run> is the run's unique stamp.")).toBe(true)
    expect(r.out).toContain('1. train (Training) → train-<run>')
    expect(r.out).toContain('"ModelDataUrl": <train.ModelArtifacts.S3ModelArtifacts>')
  })

  it('--format json prints the requests as JSON', async () => {
    const r = await run('examples/train-deploy.ts', '--format', 'json')
    expect(r.status).toBe(0)
    const plan = JSON.parse(r.out) as JsonPlan
    expect(plan.steps.map((s) => [s.name, s.kind, s.dependsOn])).toStrictEqual([
      ['train', 'Training', []],
      ['churn-model', 'Model', ['train']],
      ['churn-endpoint', 'Endpoint', ['churn-model']],
    ])
    expect(plan.steps[1]!.requests[0]!.input.PrimaryContainer.ModelDataUrl).toStrictEqual({ _tag: 'Ref', step: 'train', path: ['ModelArtifacts', 'S3ModelArtifacts'] })
    expect(plan.params.map((p) => p.name)).toStrictEqual(['instanceType', 'epochs'])
  })

  it('--param substitutes the value into the request and drops the bound parameter', async () => {
    const r = await run('examples/train-deploy.ts', '--format', 'json', '--param', 'epochs=5', '-p', 'instanceType=ml.c5.2xlarge')
    expect(r.status).toBe(0)
    const plan = JSON.parse(r.out) as JsonPlan
    const input = plan.steps[0]!.requests[0]!.input
    expect(input.HyperParameters.num_round).toBe('5')
    expect(input.ResourceConfig.InstanceType).toBe('ml.c5.2xlarge')
    expect(plan.params).toStrictEqual([])
  })

  it('--param with a value of the wrong type exits 1 naming the flag', async () => {
    const r = await run('examples/train-deploy.ts', '--param', 'epochs=abc')
    expect(r).toStrictEqual({
      status: 1,
      out: '',
      err: 'examples/train-deploy.ts: 1 problem; nothing was planned or run.\n  --param epochs: expected an integer, found "abc"',
    })
  })

  it('--param outside the allowed values, or naming no parameter, exits 1 with every problem', async () => {
    const r = await run('examples/train-deploy.ts', '--param', 'instanceType=ml.p3.2xlarge', '--param', 'epoch=5')
    expect(r).toStrictEqual({
      status: 1,
      out: '',
      err: [
        'examples/train-deploy.ts: 2 problems; nothing was planned or run.',
        '  --param instanceType: expected one of ["ml.m5.xlarge","ml.m5.2xlarge","ml.c5.2xlarge"], found "ml.p3.2xlarge"',
        '  --param epoch: parameter "epoch" is not declared in the program\'s params',
      ].join('\n'),
    })
  })

  it('--param without "=" is a usage error (exit 2)', async () => {
    const r = await run('examples/train-deploy.ts', '--param', 'epochs')
    expect(r).toStrictEqual({ status: 2, out: '', err: '--param expects name=value, got "epochs"' })
  })

  it('plans a JSON program exactly as the TypeScript module it came from', async () => {
    const file = writeJson('train-deploy.json', toJson(trainDeploy))
    const fromJson = await run(file)
    const fromTs = await run('examples/train-deploy.ts')
    expect(fromJson.status).toBe(0)
    expect(fromJson.out).toBe(fromTs.out)
    const json = await run(file, '--format', 'json', '--param', 'epochs=7')
    expect((JSON.parse(json.out) as JsonPlan).steps[0]!.requests[0]!.input.HyperParameters.num_round).toBe('7')
  })

  it('an invalid program prints every problem with its path, exits 1, and prints nothing else', async () => {
    const program = JSON.parse(toJson(trainDeploy)) as { steps: Array<Record<string, any>> }
    program.steps[0]!.resources.instanceCount = 0
    program.steps[0]!.role = 'not-a-role'
    program.steps[1]!.container.modelDataUrl = { _tag: 'Ref', step: 'trian', path: ['ModelArtifacts', 'S3ModelArtifacts'] }
    const file = writeJson('invalid.json', program)
    const r = await run(file, '--format', 'json')
    expect(r).toStrictEqual({
      status: 1,
      out: '',
      err: [
        `${file}: 3 problems; nothing was planned or run.`,
        '  steps.train.role: expected an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), found "not-a-role"',
        '  steps.train.resources.instanceCount: expected an integer of at least 1, found 0',
        '  steps.churn-model.container.modelDataUrl: refers to step "trian", which is not in the program',
      ].join('\n'),
    })
  })

  it('a file that is not JSON, or not there, exits 1 and says so', async () => {
    const bad = writeJson('broken.json', '{ "steps": [')
    const r = await run(bad)
    expect(r.status).toBe(1)
    expect(r.out).toBe('')
    expect(r.err.startsWith(`${bad}: not valid JSON: `)).toBe(true)
    const missing = await run(join(dir, 'missing.json'))
    expect(missing.status).toBe(1)
    expect(missing.err).toContain('cannot read')
  })

  it('an unknown format exits 2', async () => {
    const r = await run('examples/train-deploy.ts', '--format', 'yaml')
    expect(r).toStrictEqual({ status: 2, out: '', err: 'unknown --format "yaml" (expected text, json, mermaid or dot)' })
  })

  it('no program, or two, is a usage error (exit 2); --help prints usage and exits 0', async () => {
    expect((await run()).status).toBe(2)
    expect((await run('a.json', 'b.json')).status).toBe(2)
    const help = await run('--help')
    expect(help.status).toBe(0)
    expect(help.out.startsWith('Usage: sagespec plan <program.ts|program.json>')).toBe(true)
  })
})
