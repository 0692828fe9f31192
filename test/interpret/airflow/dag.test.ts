import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import batchTransform from '../../../examples/batch-transform.js'
import inferencePipeline from '../../../examples/inference-pipeline.js'
import trainDeploy from '../../../examples/train-deploy.js'
import tuningExample from '../../../examples/tuning.js'
import { endpoint, model, modelPackage, training, transform, tuning, withOverrides, type Step } from '../../../src/spec/step.js'
import { program, type Program } from '../../../src/spec/program.js'
import { code, concat, existing, param, type Code } from '../../../src/spec/val.js'
import type { Plan } from '../../../src/interpret/plan/plan.js'
import { codeKey, codeLocation, packCode } from '../../../src/interpret/code/pack.js'
import { describeExportError, type CodeUpload, type ExportError } from '../../../src/interpret/airflow/check.js'
import { AirflowExportError, checkAirflowDag, exportAirflowDag, toAirflowDag, writeAirflowDag, type DagOptions } from '../../../src/interpret/airflow/dag.js'
import { assertValidRequest, serviceModelOrSkip } from '../../support/service-model.js'
import { IMAGE, ROLE, planOf, valid } from '../../support/fixtures.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import {
  JINJA_REASON,
  JINJA_SKIP,
  PY_REASON,
  PY_SKIP,
  inspectDags,
  literalOf,
  renderDags,
  type Inspected,
  type PyValue,
  type RenderContext,
  type Rendered,
} from './harness.js'
import {
  OPERATIONS,
  OPERATOR_CLASS,
  RUN,
  RUN_STAMP_TEMPLATES,
  expectedLiteral,
  markerParams,
  markerResolver,
  operatorConfig,
  resolved,
  sampleValues,
} from './expected.js'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const BASE: Pick<DagOptions, 'schedule' | 'startDate'> = { schedule: null, startDate: '2026-01-01' }

/** The README examples, each with options that show a different corner of the exporter. */
const EXAMPLES: ReadonlyArray<{ readonly name: string; readonly program: Program; readonly options: DagOptions }> = [
  {
    name: 'train-deploy',
    program: trainDeploy,
    options: {
      dagId: 'churn-train-deploy',
      schedule: '@daily',
      startDate: '2026-01-01',
      defaultArgs: { owner: 'ml-platform', retries: 2, retryDelayMinutes: 10 },
      source: 'examples/train-deploy.ts',
    },
  },
  { name: 'tuning', program: tuningExample, options: { dagId: 'churn-tuning', ...BASE, source: 'examples/tuning.ts' } },
  {
    name: 'batch-transform',
    program: batchTransform,
    options: { dagId: 'churn-scoring', schedule: '0 3 * * *', startDate: '2026-01-01', defaultArgs: { owner: 'ml-platform' }, source: 'examples/batch-transform.ts' },
  },
  { name: 'inference-pipeline', program: inferencePipeline, options: { dagId: 'churn-pipeline', ...BASE, runStamp: 'run_hash', source: 'examples/inference-pipeline.ts' } },
]

const planned = EXAMPLES.map((x) => ({ ...x, plan: toPlan(valid(x.program)), dag: toAirflowDag(toPlan(valid(x.program)), x.options) }))

const base = {
  image: IMAGE,
  role: ROLE,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://bucket/out' },
} as const

/** The header comment as one paragraph of text. */
const headerText = (dag: string): string =>
  dag
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .map((l) => l.replace(/^# ?/, ''))
    .join(' ')

/** The export's problems, the same from every entry point (one walk, in pieces, or the checks alone). */
const errorsOf = (plan: Plan, options: Partial<DagOptions> = {}): ReadonlyArray<ExportError> => {
  const o: DagOptions = { dagId: 'd', ...BASE, ...options }
  const r = exportAirflowDag(o)(plan)
  const errors = E.isLeft(r) ? r.left : []
  const pieces = writeAirflowDag(o)(plan)
  expect(E.isLeft(pieces) ? pieces.left : []).toEqual(errors)
  expect(checkAirflowDag(plan, o)).toEqual(errors)
  return errors
}

/** What `writeAirflowDag` hands to `write`, in order. */
const chunksOf = (plan: Plan, options: DagOptions, chunk?: number): ReadonlyArray<string> => {
  const r = writeAirflowDag(options, chunk)(plan)
  if (E.isLeft(r)) throw new AirflowExportError(r.left)
  const chunks: string[] = []
  r.right((c) => void chunks.push(c))
  return chunks
}

/** The python value of a DAG keyword argument, for literal ones. */
const kw = (i: Inspected, name: string): PyValue | undefined => i.dag.kwargs[name]

const taskByStep = (i: Inspected, step: string) => {
  const t = i.tasks.find((x) => literalOf(x.kwargs.task_id) === step)
  if (t === undefined) throw new Error(`no task for step ${step}`)
  return t
}

/** The variable a task's config is in: `config=` of a provider operator, or the helper's `op_kwargs`. */
const configVar = (t: Inspected['tasks'][number]): string => {
  const k = t.kwargs
  if (k.config !== undefined && 'name' in k.config) return k.config.name
  const entries = (k.op_kwargs as unknown as { dict: ReadonlyArray<readonly [string, { name?: string }]> } | undefined)?.dict ?? []
  const found = entries.find(([key]) => key === 'config' || key === 'uploads')?.[1].name
  if (found === undefined) throw new Error(`task ${t.var} has no config`)
  return found
}

const configOf = (i: Inspected, step: string): Record<string, unknown> => {
  const v = { name: configVar(taskByStep(i, step)) }
  if (v === undefined || !('name' in v)) throw new Error(`task ${step} has no config variable`)
  const c = i.configs[v.name]
  if (c === undefined) throw new Error(`no ${v.name} in the file`)
  return c
}

// A small code directory, packed by the test itself to know the hash the DAG must carry.
const codeDir = mkdtempSync(joinPath(tmpdir(), 'sagespec-dag-code-'))
afterAll(() => rmSync(codeDir, { recursive: true, force: true }))
mkdirSync(joinPath(codeDir, 'src'))
mkdirSync(joinPath(codeDir, 'lib'))
writeFileSync(joinPath(codeDir, 'src', 'train.py'), 'print("train")\n')
writeFileSync(joinPath(codeDir, 'lib', 'util.py'), 'X = 1\n')
const trainCode: Code = code({ entryPoint: 'train.py', sourceDir: 'src', s3Prefix: 's3://code-bucket/churn/code/' })
const withDeps: Code = code({ entryPoint: 'train.py', sourceDir: 'src', dependencies: ['lib'], s3Prefix: 's3://code-bucket/churn/code' })
const shaOf = (c: Code): string => {
  const p = packCode(c, { cwd: codeDir })
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left))
  return p.right.sha256
}
const uploads = (mode: CodeUpload['_tag'], ...cs: ReadonlyArray<Code>): ReadonlyMap<string, CodeUpload> =>
  new Map(cs.map((c) => [codeKey(c), { _tag: mode, sha256: shaOf(c), path: `/opt/airflow/code/${mode}` }]))

const codeProgram = program(
  training('train', {
    ...base,
    hyperParameterEncoding: 'json',
    hyperParameters: { sagemaker_program: 'train.py', sagemaker_submit_directory: trainCode as never, epochs: 3 },
  }),
  model('serve-model', {
    container: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz', environment: { SAGEMAKER_SUBMIT_DIRECTORY: trainCode, SAGEMAKER_PROGRAM: 'train.py' } },
    role: ROLE,
  }),
)

/** Run-time integers in every field an operator casts, and refs in the string fields around them. */
const n = param.integer('n', { default: 2 })
const castsProgram = (() => {
  const seconds = param.integer('seconds', { default: 3600 })
  const t = training('train', {
    ...base,
    resources: { instanceType: 'ml.m5.xlarge', instanceCount: n, volumeSizeInGb: param.integer('gb', { default: 50 }) },
    stopping: { maxRuntimeInSeconds: seconds },
    hyperParameters: { n },
  })
  const tune = tuning('tune', {
    training: {
      ...base,
      resources: { instanceType: 'ml.m5.xlarge', instanceCount: n, volumeSizeInGb: n },
      stopping: { maxRuntimeInSeconds: seconds },
      metricDefinitions: [{ name: 'validation:auc', regex: 'auc=([0-9.]+)' }],
    },
    objective: { metricName: 'validation:auc', type: 'Maximize' },
    ranges: { eta: { _tag: 'Continuous', min: 0.1, max: param.float('etaMax', { default: 0.5 }) } },
    maxJobs: param.integer('jobs', { default: 4 }),
    maxParallelJobs: n,
  })
  const m = model('m', { container: { image: IMAGE, modelDataUrl: t.outputs.modelArtifacts }, role: ROLE })
  const e = endpoint('e', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large', initialInstanceCount: n }] })
  const x = transform('x', {
    model: m.outputs.name,
    resources: { instanceType: 'ml.m5.large', instanceCount: n },
    input: { uri: 's3://b/in' },
    output: { s3OutputPath: concat('s3://b/out/', tune.outputs.bestTrainingJob.name) },
    maxPayloadInMb: param.integer('mb', { default: 6 }),
    maxConcurrentTransforms: n,
  })
  return program(t, tune, m, e, x)
})()

/** A model package made from a training job's artifacts, and a model deployed from the package. */
const packageProgram = (() => {
  const t = training('train', base)
  const pkg = modelPackage('pkg', { algorithmName: 'arn:aws:sagemaker:us-west-2:111122223333:algorithm/my-algo', modelDataUrl: t.outputs.modelArtifacts })
  const m = model('m', { container: { modelPackageName: pkg.outputs.arn }, role: ROLE })
  return program(t, pkg, m)
})()

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('airflow/dag', () => {
  describe('toAirflowDag', () => {
    it.each(planned.map((x) => [x.name, x] as const))('writes the %s example as its golden DAG file', async (name, x) => {
      await expect(x.dag).toMatchFileSnapshot(`./__golden__/${name}.py`)
    })

    it('is deterministic: the same program gives the same bytes, also from a fresh plan', () => {
      for (const x of EXAMPLES) {
        const a = toAirflowDag(toPlan(valid(x.program)), x.options)
        const b = toAirflowDag(toPlan(valid(JSON.parse(JSON.stringify(x.program)))), x.options)
        expect(b).toBe(a)
      }
    })

    it('writes the same bytes in pieces: each example, a DAG that uploads code, and a long chain in many chunks', () => {
      for (const x of planned) expect(chunksOf(x.plan, x.options).join('')).toBe(x.dag)
      const withCode = planOf(codeProgram)
      const options: DagOptions = { dagId: 'd', ...BASE, code: uploads('Archive', trainCode) }
      expect(chunksOf(withCode, options).join('')).toBe(toAirflowDag(withCode, options))
      const steps: Step[] = [training('t0', base)]
      for (let i = 1; i < 300; i++) steps.push(training(`t${i}`, { ...base, modelUri: (steps[i - 1] as ReturnType<typeof training>).outputs.modelArtifacts }))
      const chain = planOf(program(...steps))
      const chunks = chunksOf(chain, { dagId: 'd', ...BASE }, 4096)
      expect(chunks.join('')).toBe(toAirflowDag(chain, { dagId: 'd', ...BASE }))
      // Batched: every chunk but the last holds at least the size asked for, and none holds the whole file.
      expect(chunks.length).toBeGreaterThan(50)
      for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(4096)
    })

    it('throws a programmer error met while printing only when the plan has no problem, as when it was checked first', () => {
      const plan = planOf(program(training('a', base), training('b', base)))
      // A number no request can hold (Python has no literal for it), then a problem in a later step.
      const broken = JSON.parse(JSON.stringify(plan)) as { steps: Array<{ requests: Array<{ input: Record<string, Record<string, unknown>> }> }> }
      broken.steps[0]!.requests[0]!.input.ResourceConfig!.VolumeSizeInGB = Number.NaN
      expect(() => toAirflowDag(broken as unknown as Plan, { dagId: 'd', ...BASE })).toThrow(RangeError)
      expect(() => writeAirflowDag({ dagId: 'd', ...BASE })(broken as unknown as Plan)).not.toThrow()
      broken.steps[1]!.requests[0]!.input.OutputDataConfig!.S3OutputPath = 'file:///tmp/out'
      expect(errorsOf(broken as unknown as Plan).map((e) => e.path)).toEqual(['steps.b.OutputDataConfig.S3OutputPath'])
    })

    it('says the DAG uploads code when a request holds code outside its config, as when the whole plan was searched for it', () => {
      const plan = planOf(program(training('t', base), endpoint('e', { variants: [{ model: existing('m'), instanceType: 'ml.m5.large' }], update: true })))
      const options: DagOptions = { dagId: 'd', ...BASE }
      expect(toAirflowDag(plan, options)).not.toContain('# Code: the upload_code task')
      // Only the endpoint's UpdateEndpoint request (not its config) holds code here.
      const edited = JSON.parse(JSON.stringify(plan)) as { steps: Array<{ requests: Array<{ orUpdate?: Record<string, unknown> }> }> }
      edited.steps[1]!.requests.find((r) => r.orUpdate !== undefined)!.orUpdate!.Extra = JSON.parse(JSON.stringify(trainCode))
      const dag = toAirflowDag(edited as unknown as Plan, options)
      expect(dag).toContain('# Code: the upload_code task')
      expect(dag.replace(/\n# /g, ' ')).toContain('(and PythonOperator tasks where said below)')
      expect(chunksOf(edited as unknown as Plan, options).join('')).toBe(dag)
    })

    it('does not change the plan it reads', () => {
      const plan = planOf(codeProgram)
      const before = JSON.stringify(plan)
      toAirflowDag(plan, { dagId: 'd', ...BASE, code: uploads('TarAtRunTime', trainCode) })
      expect(JSON.stringify(plan)).toBe(before)
    })

    it('renders refs with the XCom key of the operator that produced them', () => {
      const dag = planned.find((x) => x.name === 'tuning')!.dag
      expect(dag).toContain(
        `'ModelDataUrl': "s3://example-bucket/churn/tuning/{{ ti.xcom_pull(task_ids='tune')['Tuning']['BestTrainingJob']['TrainingJobName'] }}/output/model.tar.gz"`,
      )
      expect(dag).toContain(`"{{ ti.xcom_pull(task_ids='best-model')['Model']['ModelName'] }}"`)
    })

    it('throws AirflowExportError naming every problem', () => {
      const plan = planOf(program(training('train', { ...base, channels: { train: { uri: 'file:///data/train' } }, output: { s3OutputPath: 'file:///tmp/out' } })))
      expect(() => toAirflowDag(plan, { dagId: 'd', ...BASE })).toThrow(AirflowExportError)
      try {
        toAirflowDag(plan, { dagId: 'd', ...BASE })
      } catch (e) {
        expect((e as AirflowExportError).errors.map((x) => x.path)).toEqual([
          'steps.train.InputDataConfig.0.DataSource.FileDataSource.FileUri',
          'steps.train.OutputDataConfig.S3OutputPath',
        ])
        expect((e as Error).message).toContain('"file:///data/train" is a local file:// location')
      }
    })
  })

  describe('export checks', () => {
    it('refuses file:// locations, also at the start of a join, naming the request path', () => {
      const plan = planOf(
        program(
          training('train', { ...base, channels: { train: { uri: 's3://b/train' } } }),
          model('m', { container: { image: IMAGE, modelDataUrl: concat('file:///models/', 'x.tar.gz') }, role: ROLE }),
        ),
      )
      expect(errorsOf(plan)).toEqual([{ _tag: 'LocalOnly', path: 'steps.m.PrimaryContainer.ModelDataUrl', value: 'file:///models/' }])
    })

    it('accepts run-time values in the fields the operator casts to int, and refuses them in other numeric or boolean fields', () => {
      const n = param.integer('n', { default: 2 })
      const flag = param.boolean('isolate', { default: true })
      const w = param.float('weight', { default: 0.5 })
      const plan = planOf(
        program(
          training('train', {
            ...base,
            resources: { instanceType: 'ml.m5.xlarge', instanceCount: n, volumeSizeInGb: n },
            stopping: { maxRuntimeInSeconds: n },
            spot: { maxWaitTimeInSeconds: n },
            enableNetworkIsolation: flag,
          }),
          model('m', { container: { image: IMAGE }, role: ROLE }),
          endpoint('e', { variants: [{ model: existing('m-1'), instanceType: 'ml.m5.large', initialInstanceCount: n, initialWeight: w }] }),
          transform('x', {
            model: existing('m-1'),
            resources: { instanceType: 'ml.m5.large', instanceCount: n },
            input: { uri: 's3://b/in' },
            output: { s3OutputPath: 's3://b/out' },
            maxPayloadInMb: n,
            maxConcurrentTransforms: n,
          }),
        ),
      )
      expect(errorsOf(plan).map((e) => [e._tag, e.path])).toEqual([
        ['UncastTemplate', 'steps.train.StoppingCondition.MaxWaitTimeInSeconds'],
        ['UncastTemplate', 'steps.train.EnableNetworkIsolation'],
        ['UncastTemplate', 'steps.e.EndpointConfig.ProductionVariants.0.InitialVariantWeight'],
      ])
      expect(describeExportError(errorsOf(plan)[1]!)).toBe(
        'steps.train.EnableNetworkIsolation: a boolean decided at run time cannot go here in Airflow: templates render to strings, and ' +
          'SageMakerTrainingOperator turns back into integers only its own integer fields; use a literal, or bind the parameter when exporting (--param name=value)',
      )
    })

    it('refuses a non-string run-time value that overrides put anywhere, and allows string ones', () => {
      const plan = planOf(
        program(
          withOverrides({ StoppingCondition: { MaxPendingTimeInSeconds: param.integer('pending', { default: 7200 }) }, Environment: { A: param.string('a', { default: 'x' }) } })(
            training('train', base),
          ) as Step,
        ),
      )
      expect(errorsOf(plan).map((e) => [e._tag, e.path])).toEqual([['UncastTemplate', 'steps.train.StoppingCondition.MaxPendingTimeInSeconds']])
    })

    it('refuses an endpoint that must not be updated: the operator updates an existing endpoint anyway', () => {
      const plan = planOf(program(endpoint('e', { variants: [{ model: existing('m-1'), instanceType: 'ml.m5.large' }], update: false })))
      expect(errorsOf(plan)).toEqual([{ _tag: 'EndpointUpdateRequired', path: 'steps.e.update' }])
    })

    it('refuses a scheduled DAG with a required param, and allows it when runs are manual', () => {
      const plan = planOf(program(training('train', { ...base, hyperParameters: { lr: param.string('lr') } })))
      expect(errorsOf(plan, { schedule: '@daily' })).toEqual([{ _tag: 'RequiredParamOnSchedule', path: 'params.lr', param: 'lr' }])
      expect(errorsOf(plan, { schedule: null })).toEqual([])
    })

    it('exports model package steps: a PythonOperator calls the provider\'s SageMakerHook with the planned request and waits', () => {
      const plan = planOf(packageProgram)
      expect(errorsOf(plan)).toEqual([])
      const dag = toAirflowDag(plan, { dagId: 'd', ...BASE, awsConnId: 'ml_aws', region: 'eu-west-1' })
      const [got] = inspectDags([dag])
      const task = taskByStep(got!, 'pkg')
      expect(task.class).toBe('PythonOperator')
      expect(task.kwargs.python_callable).toEqual({ name: 'create_model_package' })
      expect(configOf(got!, 'pkg')).toEqual(expectedLiteral(plan, operatorConfig(plan.steps[1]!)))
      expect(got!.imports).toContainEqual(['airflow.providers.amazon.aws.hooks.sagemaker', ['SageMakerHook']])
      expect(got!.imports).toContainEqual(['airflow.operators.python', ['PythonOperator']])
      expect(dag).toContain('def create_model_package(config, aws_conn_id="aws_default", region_name=None):')
      expect(dag).toContain('non_terminal_states={"Pending", "InProgress"}')
      expect(dag).toContain("op_kwargs={'config': pkg_config, 'aws_conn_id': 'ml_aws', 'region_name': 'eu-west-1'}")
      // Downstream steps read its ARN from the helper's XCom result.
      expect(configOf(got!, 'm').PrimaryContainer).toEqual({ ModelPackageName: "{{ ti.xcom_pull(task_ids='pkg')['ModelPackage']['ModelPackageArn'] }}" })
      expect(headerText(dag)).toContain("calls the provider's SageMakerHook with the same request and waits until the package is Completed")
    })

    it('passes --aws-conn-id and --region to every operator, and says which provider the DAG needs and why', () => {
      const plan = planOf(trainDeploy)
      const plain = toAirflowDag(plan, { dagId: 'd', ...BASE })
      expect(plain).not.toContain('aws_conn_id')
      expect(headerText(plain)).toContain(
        "apache-airflow-providers-amazon 8.6.0 or later: before 8.6.0, when operation='create' finds the endpoint and falls back to an update, it sends the config's Tags to UpdateEndpoint, which refuses them",
      )
      expect(headerText(toAirflowDag(planOf(program(training('train', base))), { dagId: 'd', ...BASE }))).toContain("apache-airflow-providers-amazon from 2023 or later (action_if_job_exists='timestamp')")
      const [got] = inspectDags([toAirflowDag(plan, { dagId: 'd', ...BASE, awsConnId: 'ml_aws', region: 'eu-west-1' })])
      for (const t of got!.tasks) {
        expect(literalOf(t.kwargs.aws_conn_id!), t.var).toBe('ml_aws')
        expect(literalOf(t.kwargs.region_name!), t.var).toBe('eu-west-1')
      }
    })

    it('writes default_args for mail on failure, retries, retry delay and execution timeout', () => {
      const dag = toAirflowDag(planOf(program(training('train', base))), {
        dagId: 'd',
        ...BASE,
        defaultArgs: { owner: 'ml', retries: 3, retryDelayMinutes: 5, email: ['ml@example.com'], emailOnFailure: true, executionTimeoutMinutes: 720 },
      })
      expect(dag).toContain(
        [
          '    default_args={',
          "        'owner': 'ml',",
          "        'retries': 3,",
          "        'retry_delay': timedelta(minutes=5),",
          "        'email': ['ml@example.com'],",
          "        'email_on_failure': True,",
          "        'execution_timeout': timedelta(minutes=720),",
          '    },',
        ].join('\n'),
      )
      expect(dag).toContain('from datetime import timedelta')
    })

    it('checks the options', () => {
      const plan = planOf(program(training('train', base)))
      const errors = errorsOf(plan, {
        dagId: 'my dag',
        schedule: 'every day',
        startDate: '2026-02-30',
        defaultArgs: { owner: '', retries: -1, retryDelayMinutes: Number.NaN, email: ['not an address'], emailOnFailure: 'yes' as never, executionTimeoutMinutes: 0 },
        runStamp: 'now' as never,
        awsConnId: 'my conn',
        region: 'Oregon',
      })
      expect(errors.map((e) => e.path)).toEqual([
        'dagId',
        'schedule',
        'startDate',
        'defaultArgs.owner',
        'defaultArgs.retries',
        'defaultArgs.retryDelayMinutes',
        'defaultArgs.email',
        'defaultArgs.emailOnFailure',
        'defaultArgs.executionTimeoutMinutes',
        'awsConnId',
        'region',
        'runStamp',
      ])
      expect(errorsOf(plan, { defaultArgs: { emailOnFailure: true } }).map((e) => e.path)).toEqual(['defaultArgs.email'])
      for (const s of ['@daily', '@continuous', '*/5 * * * *', '0 3 * * 1-5']) expect(errorsOf(plan, { schedule: s })).toEqual([])
    })

    it('needs every code archive packed, and an archive for code with dependencies', () => {
      const plan = planOf(program(training('train', { ...base, hyperParameters: { a: trainCode as never, b: withDeps as never } })))
      expect(errorsOf(plan).map((e) => [e._tag, e.path])).toEqual([
        ['CodeNotPacked', 'steps.train.HyperParameters.a'],
        ['CodeNotPacked', 'steps.train.HyperParameters.b'],
      ])
      expect(errorsOf(plan, { code: uploads('TarAtRunTime', trainCode, withDeps) })).toEqual([
        { _tag: 'CodeNeedsArchive', path: 'steps.train.HyperParameters.b', dependencies: ['lib'] },
      ])
      expect(errorsOf(plan, { code: uploads('Archive', trainCode, withDeps) })).toEqual([])
    })
  })

  describe('code upload', () => {
    it('uploads each archive once, in one task upstream of the steps that use it, skipping a key that exists', () => {
      const plan = planOf(codeProgram)
      const sha = shaOf(trainCode)
      const dag = toAirflowDag(plan, { dagId: 'd', ...BASE, code: uploads('TarAtRunTime', trainCode) })
      const uri = `s3://code-bucket/churn/code/${sha}/sourcedir.tar.gz`
      expect(codeLocation(trainCode, sha)).toEqual({ bucket: 'code-bucket', key: `churn/code/${sha}/sourcedir.tar.gz`, uri })
      expect(dag).toContain(`'sagemaker_submit_directory': '"${uri}"'`)
      expect(dag).toContain(`'SAGEMAKER_SUBMIT_DIRECTORY': '${uri}'`)
      // No step uploads on its own: the provider's S3Operations use replace=False and fail on the second upload.
      expect(dag).not.toContain('S3Operations\'')
      const [got] = inspectDags([dag])
      expect(got!.configs.code_uploads).toEqual([{ Path: '/opt/airflow/code/TarAtRunTime', Bucket: 'code-bucket', Key: `churn/code/${sha}/sourcedir.tar.gz`, Tar: true }])
      const upload = got!.tasks.find((t) => literalOf(t.kwargs.task_id) === 'upload_code')!
      expect(upload.class).toBe('PythonOperator')
      expect(got!.edges).toEqual([
        ['upload_code_task', 'train'],
        ['upload_code_task', 'serve_model'],
      ])
      expect(dag).toContain('        if s3.check_for_key(u["Key"], bucket_name=u["Bucket"]):\n            continue\n')
      expect(headerText(dag)).toContain('unless that key exists already: the key names the content, so retries and re-runs find the same archive and succeed')
      expect(headerText(dag)).toContain('It tars the source directory on the Airflow worker')
      const archive = toAirflowDag(plan, { dagId: 'd', ...BASE, code: uploads('Archive', trainCode) })
      expect(archive).toContain("'Tar': False")
      expect(archive).toContain('s3.load_file(u["Path"], u["Key"], bucket_name=u["Bucket"], replace=True)')
      expect(headerText(archive)).toContain('It uploads the sourcedir.tar.gz that sagespec packed at export time')
    })
  })
})

// -------------------------------------------------------------------------------------
// python3: the files parse, and each config is the plan's request
// -------------------------------------------------------------------------------------

describe.skipIf(PY_SKIP)(`airflow/dag read by python3${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
  const inspected = PY_SKIP ? [] : inspectDags(planned.map((x) => x.dag))

  it.each(planned.map((x, i) => [x.name, i] as const))('%s: each operator config equals the plan request, refs and params as templates', (_, i) => {
    const x = planned[i]!
    const got = inspected[i]!
    expect(Object.keys(got.configs)).toHaveLength(x.plan.steps.length)
    for (const s of x.plan.steps)
      expect(configOf(got, s.name)).toEqual(expectedLiteral(x.plan, operatorConfig(s), RUN_STAMP_TEMPLATES[x.options.runStamp ?? 'ts_nodash']))
  })

  it.each(planned.map((x, i) => [x.name, i] as const))('%s: one task per step with the right operator and arguments, one edge per dependency', (_, i) => {
    const x = planned[i]!
    const got = inspected[i]!
    expect(got.tasks.map((t) => literalOf(t.kwargs.task_id))).toEqual(x.plan.steps.map((s) => s.name))
    const varOf = new Map(got.tasks.map((t) => [t.var, literalOf(t.kwargs.task_id)]))
    for (const s of x.plan.steps) {
      const t = taskByStep(got, s.name)
      expect(t.class).toBe(OPERATOR_CLASS[s.kind as keyof typeof OPERATOR_CLASS])
      const extra = Object.fromEntries(Object.entries(t.kwargs).filter(([k]) => k !== 'task_id' && k !== 'config').map(([k, v]) => [k, literalOf(v)]))
      // Every operator that can wait does; job operators start a new job on a retry instead of failing.
      const expected = {
        Training: { wait_for_completion: true, check_if_job_exists: true, action_if_job_exists: 'timestamp' },
        Tuning: { wait_for_completion: true },
        Model: {},
        Endpoint: { operation: 'create', wait_for_completion: true },
        Transform: { wait_for_completion: true, check_if_job_exists: true, action_if_job_exists: 'timestamp' },
      }[s.kind as 'Training']
      expect(extra).toEqual(expected)
    }
    expect(got.edges.map(([a, b]) => [varOf.get(a), varOf.get(b)])).toEqual(x.plan.steps.flatMap((s) => s.dependsOn.map((d) => [d, s.name])))
  })

  it.each(planned.map((x, i) => [x.name, i] as const))('%s: the DAG arguments and params come from the options and the program', (_, i) => {
    const x = planned[i]!
    const got = inspected[i]!
    expect(got.dag.call).toBe('DAG')
    expect(literalOf(kw(got, 'dag_id'))).toBe(x.options.dagId)
    expect(literalOf(kw(got, 'schedule'))).toBe(x.options.schedule)
    expect(literalOf(kw(got, 'catchup'))).toBe(false)
    expect(kw(got, 'max_active_runs') === undefined ? undefined : literalOf(kw(got, 'max_active_runs'))).toBe(x.plan.steps.some((s) => s.kind === 'Endpoint') ? 1 : undefined)
    const start = kw(got, 'start_date') as { call: string; args: PyValue[]; kwargs: Record<string, PyValue> }
    expect([start.call, ...start.args.map(literalOf), literalOf(start.kwargs.tz)]).toEqual(['pendulum.datetime', ...x.options.startDate.split('-').map(Number), 'UTC'])
    const params = kw(got, 'params') as { dict: ReadonlyArray<readonly [string, { call: string; args: PyValue[]; kwargs: Record<string, PyValue> }]> } | undefined
    const schema = { String: 'string', Integer: 'integer', Float: 'number', Boolean: 'boolean' }
    expect(
      (params?.dict ?? []).map(([k, v]) => ({
        name: k,
        call: v.call,
        ...(v.args.length > 0 ? { default: literalOf(v.args[0]) } : {}),
        ...Object.fromEntries(Object.entries(v.kwargs).map(([a, b]) => [a, literalOf(b)])),
      })),
    ).toEqual(
      x.plan.params.map((p) => ({
        name: p.name,
        call: 'Param',
        ...(p.default !== undefined ? { default: p.default } : {}),
        type: schema[p.type],
        ...(p.allowed !== undefined ? { enum: p.allowed } : {}),
        ...(p.description !== undefined ? { description: p.description } : {}),
      })),
    )
    // Imports: only Airflow, its Amazon provider's SageMaker operators, pendulum and datetime.
    for (const [mod, names] of got.imports)
      expect([mod, names]).toSatisfy(([m, n]: [string | null, string[]]) =>
        m === null ? n.every((y) => y === 'pendulum') : ['airflow', 'airflow.models.param', 'airflow.providers.amazon.aws.operators.sagemaker', 'datetime'].includes(m),
      )
  })

  it('declares each param with its JSON-schema type; a float with a whole default reads back as that number, a param without default is required', () => {
    const plan = planOf(
      program(
        training('train', {
          ...base,
          hyperParameters: {
            a: param.float('rate', { default: 100 }),
            b: param.float('eps', { default: 1e-7 }),
            c: param.string('mode', { allowed: ['fast', 'slow'] }),
          },
          enableNetworkIsolation: false,
        }),
      ),
    )
    const dag = toAirflowDag(plan, { dagId: 'd', ...BASE })
    expect(dag).toContain("'rate': Param(100, type='number'),")
    expect(dag).toContain("'eps': Param(1e-07, type='number'),")
    expect(dag).toContain("'mode': Param(type='string', enum=['fast', 'slow']),")
    const [got] = inspectDags([dag])
    const params = (kw(got!, 'params') as unknown as { dict: ReadonlyArray<readonly [string, { args: PyValue[] }]> }).dict
    expect(params.map(([k, v]) => [k, v.args.map(literalOf)])).toEqual([
      ['rate', [100]],
      ['eps', [1e-7]],
      ['mode', []],
    ])
  })

  it('keeps python names unique and valid whatever the step names', () => {
    const step = (name: string) => training(name, base)
    const names = ['train', 'train-config', 'class', '1st', 'dag', 'DAG', 'SageMakerTrainingOperator', 'import']
    const plan = planOf(program(...names.map(step)))
    const [got] = inspectDags([toAirflowDag(plan, { dagId: 'd', ...BASE })])
    expect(got!.tasks.map((t) => literalOf(t.kwargs.task_id))).toEqual(names)
    expect(new Set([...got!.tasks.map((t) => t.var), ...Object.keys(got!.configs), 'dag']).size).toBe(names.length * 2 + 1)
    for (const n of names) expect(configOf(got!, n).TrainingJobName).toBe(`${n}-{{ ts_nodash }}`)
  })
})

// -------------------------------------------------------------------------------------
// Jinja2: rendered as Airflow renders them, the configs are the requests the AWS runner would send
// -------------------------------------------------------------------------------------

const contextFor = (plan: Plan, mode: RenderContext['mode'], dagId: string, codeUri?: (c: Code) => string): { context: RenderContext; expected: (v: unknown) => unknown } => {
  const run = { ts_nodash: RUN, ds_nodash: RUN.slice(0, 8), run_id: 'manual__2026-11-25T10:20:30+00:00', dag_id: dagId }
  if (mode === 'markers') {
    const r = markerResolver(plan, codeUri)
    return { context: { mode, params: markerParams(plan), ...run, ts_nodash: '<RUN>' }, expected: (v) => resolved(v, r) }
  }
  const s = sampleValues(plan, codeUri)
  return { context: { mode, xcom: s.xcom, params: s.params, ...run }, expected: (v) => resolved(v, s.resolver) }
}

describe.skipIf(JINJA_SKIP)(`airflow/dag rendered by Jinja2${JINJA_SKIP ? ` (skipped: ${JINJA_REASON})` : ''}`, () => {
  const sm = serviceModelOrSkip()
  const codePlan = planOf(codeProgram)
  const codeOptions: DagOptions = { dagId: 'code', ...BASE, code: uploads('TarAtRunTime', trainCode) }
  const codeUri = (c: Code) => codeLocation(c, shaOf(c)).uri
  const cases = [
    ...planned.filter((x) => x.options.runStamp === undefined).map((x) => ({ name: x.name, plan: x.plan, dag: x.dag, dagId: x.options.dagId, codeUri: undefined })),
    { name: 'casts', plan: planOf(castsProgram), dag: toAirflowDag(planOf(castsProgram), { dagId: 'casts', ...BASE }), dagId: 'casts', codeUri: undefined },
    { name: 'package', plan: planOf(packageProgram), dag: toAirflowDag(planOf(packageProgram), { dagId: 'package', ...BASE }), dagId: 'package', codeUri: undefined },
    { name: 'code', plan: codePlan, dag: toAirflowDag(codePlan, codeOptions), dagId: 'code', codeUri },
  ]

  /** Each step's rendered config, found through the task that runs the step. */
  const byStep = (dag: string, rendered: Rendered): ((step: string) => Rendered[string]) => {
    const got = inspectDags([dag])[0]!
    return (step) => rendered[configVar(taskByStep(got, step))]!
  }

  it('markers: every template reads what the plan says (refs with their XCom keys, params, the run stamp), and literal text comes back as it was', () => {
    const contexts = cases.map((c) => contextFor(c.plan, 'markers', c.dagId, c.codeUri))
    const rendered = renderDags(cases.map((c, i) => ({ source: c.dag, context: contexts[i]!.context })))
    cases.forEach((c, i) => {
      const of = byStep(c.dag, rendered[i]!)
      for (const s of c.plan.steps) {
        const { S3Operations: _, ...config } = of(s.name).config
        expect(config, `${c.name}/${s.name}`).toEqual(contexts[i]!.expected(operatorConfig(s)))
      }
    })
  })

  it.skipIf(sm.skip !== undefined)(
    `values: after Airflow's rendering and the operator's integer casts, each config equals the resolved plan request and passes the service model${sm.skip !== undefined ? ` (skipped: ${sm.skip})` : ''}`,
    () => {
      const contexts = cases.map((c) => contextFor(c.plan, 'values', c.dagId, c.codeUri))
      const rendered = renderDags(cases.map((c, i) => ({ source: c.dag, context: contexts[i]!.context })))
      cases.forEach((c, i) => {
        const of = byStep(c.dag, rendered[i]!)
        for (const s of c.plan.steps) {
          const r = of(s.name)
          const expected = contexts[i]!.expected(operatorConfig(s)) as Record<string, unknown>
          expect(r.config, `${c.name}/${s.name}`).toEqual(expected)
          for (const [key, op] of OPERATIONS[s.kind as keyof typeof OPERATIONS]) assertValidRequest(sm.model!, op, key === undefined ? r.config : r.config[key])
        }
      })
      // The upload task uploads the archive the hyperparameter names.
      const codeRendered = rendered[cases.length - 1]!
      const train = Object.values(codeRendered).find((r) => r.class === 'SageMakerTrainingOperator')!
      const sha = shaOf(trainCode)
      expect(train.s3).toBeNull()
      expect(codeRendered.code_uploads!.config).toEqual([{ Path: '/opt/airflow/code/TarAtRunTime', Bucket: 'code-bucket', Key: `churn/code/${sha}/sourcedir.tar.gz`, Tar: true }])
      expect((train.config.HyperParameters as Record<string, string>).sagemaker_submit_directory).toBe(`"s3://code-bucket/churn/code/${sha}/sourcedir.tar.gz"`)
    },
  )

  it('run stamps: ds_nodash renders the logical date, run_hash 15 hex digits fixed by the DAG and run ids', () => {
    const plan = planOf(program(training('train', base)))
    const dagFor = (runStamp: DagOptions['runStamp']) => toAirflowDag(plan, { dagId: 'stamps', ...BASE, runStamp })
    const ctx = (runId: string, dagId = 'stamps'): RenderContext => ({ mode: 'values', xcom: {}, params: {}, ts_nodash: RUN, ds_nodash: '20261125', run_id: runId, dag_id: dagId })
    const [ds, h1, h2, h3, h4] = renderDags([
      { source: dagFor('ds_nodash'), context: ctx('a') },
      { source: dagFor('run_hash'), context: ctx('scheduled__2026-11-25T00:00:00+00:00') },
      { source: dagFor('run_hash'), context: ctx('scheduled__2026-11-25T00:00:00+00:00') },
      { source: dagFor('run_hash'), context: ctx('scheduled__2026-11-26T00:00:00+00:00') },
      { source: dagFor('run_hash'), context: ctx('scheduled__2026-11-25T00:00:00+00:00', 'other-dag') },
    ]).map((r) => Object.values(r)[0]!.config.TrainingJobName as string)
    expect(ds).toBe('train-20261125')
    expect(h1).toMatch(/^train-[0-9a-f]{15}$/)
    expect(h2).toBe(h1)
    expect(new Set([h1, h3, h4]).size).toBe(3)
  })

  it('params whose names are not attributes (dict methods, keywords, leading underscores) are read by subscript', () => {
    const names = ['items', 'values', 'in', '_private', 'get', 'plain']
    const plan = planOf(program(training('train', { ...base, hyperParameters: Object.fromEntries(names.map((n) => [n, param.string(n, { default: `v-${n}` })])) })))
    const dag = toAirflowDag(plan, { dagId: 'd', ...BASE })
    expect(dag).toContain("'items': \"{{ params['items'] }}\"")
    expect(dag).toContain("'plain': '{{ params.plain }}'")
    const [r] = renderDags([{ source: dag, context: contextFor(plan, 'values', 'd').context }])
    expect(Object.values(r!)[0]!.config.HyperParameters).toEqual(Object.fromEntries(names.map((n) => [n, `v-${n}`])))
  })
})
