import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { parseParamValue } from '../../src/spec/bind.js'
import { message } from '../../src/spec/errors.js'
import { MAX_DEPTH } from '../../src/spec/depth.js'
import { validate } from '../../src/spec/validate.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { toAirflowDag } from '../../src/interpret/airflow/dag.js'
import { IMAGE, ROLE } from '../support/fixtures.js'
import { PYTHON, PY_REASON, PY_SKIP } from '../interpret/airflow/harness.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-one-pass-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}
const writeJson = (name: string, text: string): string => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const train = (extra: Record<string, unknown> = {}) => ({
  _tag: 'Training',
  name: 'train',
  image: IMAGE,
  role: ROLE,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://bucket/out' },
  ...extra,
})
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`

describe('--param names, values and repeated flags', () => {
  const withParams = JSON.stringify({
    params: [{ name: 'epochs', type: 'Integer', default: 3 }],
    steps: [train({ hyperParameters: { epochs: { _tag: 'Param', name: 'epochs' } } })],
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('--param %s=1 is an unknown parameter, not a crash', async (name) => {
    const r = await cli('plan', writeJson('params.json', withParams), '--param', `${name}=1`)
    expect(r.status).toBe(1)
    expect(r.err).toContain(`--param ${name}: parameter "${name}" is not declared in the program's params`)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('a program parameter named like a prototype key binds like any other', async () => {
    const program = JSON.stringify({
      params: [{ name: '__proto__', type: 'String', default: 'a' }],
      steps: [train({ hyperParameters: { x: { _tag: 'Param', name: '__proto__' } } })],
    })
    const r = await cli('plan', writeJson('proto.json', program), '--format', 'json', '--param', '__proto__=bound')
    expect(r.err).toBe('')
    expect(JSON.parse(r.out).steps[0].requests[0].input.HyperParameters.x).toBe('bound')
  })

  it('an integer beyond 2^53 is an error, not a rounded number', async () => {
    const r = await cli('plan', writeJson('params.json', withParams), '--param', 'epochs=9007199254740993')
    expect(r.status).toBe(1)
    expect(r.err).toContain('--param epochs: expected an integer from -(2^53 - 1) to 2^53 - 1, found "9007199254740993"')
    expect(parseParamValue({ name: 'n', type: 'Integer' }, '9007199254740991')).toStrictEqual(E.right(9007199254740991))
  })

  it('a repeated --param is an error naming it', async () => {
    const r = await cli('plan', writeJson('params.json', withParams), '--param', 'epochs=1', '--param', 'epochs=2')
    expect(r).toStrictEqual({ status: 2, out: '', err: '--param epochs is given more than once; give it once' })
  })

  it('a repeated single-valued flag is an error naming it (plan --format, run --target)', async () => {
    const p = await cli('plan', writeJson('params.json', withParams), '--format', 'json', '--format', 'text')
    expect(p.status).toBe(2)
    expect(p.err.split('\n')[0]).toBe('--format is given more than once; give it once')
    const r = await cli('run', writeJson('params.json', withParams), '--target', 'local', '--target', 'aws')
    expect(r.status).toBe(2)
    expect(r.err.split('\n')[0]).toBe('--target is given more than once; give it once')
  })
})

describe('deeply nested input', () => {
  it('5000 nested lists in a JSON program are one clear line, not a stack trace', async () => {
    const r = await cli('plan', writeJson('deep.json', `{"a":${nested(5000)}}`))
    expect(r.status).toBe(1)
    expect(r.err.split('\n')).toStrictEqual([
      expect.stringMatching(/deep\.json: 1 problem; nothing was planned or run\.$/),
      `  a.0.0.0.0.0.0.0.0.0.…(${MAX_DEPTH - 10} more levels): expected at most ${MAX_DEPTH} levels of nested objects and lists, found "more than ${MAX_DEPTH}"`,
    ])
  })

  it('deep overrides are refused at their path, with the step named', () => {
    const r = validate({ steps: [train({ overrides: { HyperParameters: JSON.parse(nested(5000)) } })] })
    expect(E.isLeft(r) && r.left.map(message)).toStrictEqual([
      `steps.train.overrides.HyperParameters.0.0.0.0.0.0.…(${MAX_DEPTH - 10} more levels): expected at most ${MAX_DEPTH} levels of nested objects and lists, found "more than ${MAX_DEPTH}"`,
    ])
  })

  it('a program built in JavaScript with a cycle is refused, not looped on', () => {
    const loop: Record<string, unknown> = {}
    loop['self'] = loop
    const r = validate({ steps: [train({ overrides: { X: loop } })] })
    expect(E.isLeft(r) && r.left[0]!.path.startsWith('steps.train.overrides.X.self.self')).toBe(true)
  })

  it(`accepts exactly ${MAX_DEPTH} levels`, () => {
    // program, steps, the step, overrides: 4 levels before the lists.
    expect(E.isRight(validate({ steps: [train({ overrides: { X: JSON.parse(nested(MAX_DEPTH - 4)) } })] }))).toBe(true)
    expect(E.isLeft(validate({ steps: [train({ overrides: { X: JSON.parse(nested(MAX_DEPTH - 3)) } })] }))).toBe(true)
  })
})

describe.skipIf(PY_SKIP)(`an exported DAG stays within what Python's parser accepts${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
  it(`the deepest program validate accepts exports a DAG that python3 compiles`, () => {
    const deepest = validate({ steps: [train({ overrides: { X: JSON.parse(nested(MAX_DEPTH - 4)) } })] })
    if (E.isLeft(deepest)) throw new Error(deepest.left.map(message).join('\n'))
    const dag = toAirflowDag(toPlan(deepest.right), { dagId: 'deep', schedule: null, startDate: '2026-01-01' })
    const file = join(dir, 'deep_dag.py')
    writeFileSync(file, dag)
    // compile() goes further than ast.parse: the code generator has its own nesting limits.
    const out = execFileSync(PYTHON!, ['-c', 'import ast,sys; src=open(sys.argv[1]).read(); ast.parse(src); compile(src, "dag", "exec"); print("ok")', file], { encoding: 'utf8' })
    expect(out.trim()).toBe('ok')
  })

  it('python3 itself refuses a bracket nesting validate would have let through unbounded (the reason for the limit)', () => {
    let refused = false
    try {
      execFileSync(PYTHON!, ['-c', `import ast; ast.parse("x = " + "[" * 1000 + "]" * 1000)`], { stdio: 'pipe' })
    } catch {
      refused = true
    }
    expect(refused).toBe(true)
  })
})
