import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { program } from '../../src/spec/program.js'
import { validate } from '../../src/spec/validate.js'
import { param } from '../../src/spec/val.js'
import { pytorch, type PyTorchOptions } from '../../src/frameworks/index.js'
import { entryPointErrors, programName } from '../../src/frameworks/script-mode.js'
import { assertValidRequest, serviceModelOrSkip } from '../support/service-model.js'
import { RUN, ROLE, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: PyTorchOptions = {
  entryPoint: 'train.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.3',
  region: 'us-east-1',
  role: ROLE,
  instanceType: 'ml.m5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
}

const hpOf = (o: Partial<PyTorchOptions>, name = 'train') =>
  (resolved(requestOf(planOf(pytorch(name, { ...base, ...o })), name, 'CreateTrainingJob')) as { HyperParameters: Record<string, string> }).HyperParameters

describe('entry points', () => {
  it('accepts relative paths inside the archive', () => {
    for (const ok of ['train.py', 'src/train.py', './train.py', 'a/./b.py']) expect(entryPointErrors(ok, undefined)).toEqual([])
  })

  it('reports each kind of bad entry point with its exact message', () => {
    expect(messagesOf(pytorch('train', { ...base, entryPoint: '../train.py' }))).toEqual([
      'steps.train.entryPoint: expected a relative path to the script without ".." segments, found "../train.py"',
    ])
    expect(messagesOf(pytorch('train', { ...base, entryPoint: 'src/../../train.py', sourceDir: 'code' }))).toEqual([
      'steps.train.entryPoint: expected a path relative to sourceDir without ".." segments, found "src/../../train.py"',
    ])
    expect(messagesOf(pytorch('train', { ...base, entryPoint: '/opt/train.py' }))).toEqual([
      'steps.train.entryPoint: expected a relative path to the script without ".." segments (not an absolute path), found "/opt/train.py"',
    ])
    // Said once, at the option: a step with bad code carries no archive for the codec to complain about.
    expect(messagesOf(pytorch('train', { ...base, entryPoint: 's3://bucket/train.py' }))).toEqual([
      'steps.train.entryPoint: expected a relative path to the script without ".." segments (a local file, not a URI), found "s3://bucket/train.py"',
    ])
    expect(messagesOf(pytorch('train', { ...base, entryPoint: ' ' }))).toEqual([
      'steps.train.entryPoint: expected a relative path to the script without ".." segments, found " "',
    ])
  })

  it('reports bad code locations, source directories and dependencies at their options', () => {
    expect(messagesOf(pytorch('train', { ...base, codeLocation: 'bucket/code' }))).toEqual([
      'steps.train.codeLocation: expected an S3 prefix for code archives (s3://bucket/prefix), found "bucket/code"',
    ])
    expect(messagesOf(pytorch('train', { ...base, sourceDir: '' }))).toEqual(['steps.train.sourceDir: expected a local directory path, found ""'])
    expect(messagesOf(pytorch('train', { ...base, dependencies: ['lib', ''] }))).toEqual(['steps.train.dependencies.1: expected a local directory path, found ""'])
    const s = pytorch('train', { ...base, entryPoint: '../x.py' })
    expect(s.hyperParameters).not.toHaveProperty('sagemaker_submit_directory')
    expect(s.framework).toBeUndefined()
  })

  it('names the program as the container finds it in the unpacked archive', () => {
    expect(programName('scripts/train.py', undefined)).toBe('train.py')
    expect(programName('scripts/train.py', 'src')).toBe('scripts/train.py')
    expect(programName('./train.py', 'src')).toBe('train.py')
    expect(hpOf({ entryPoint: 'jobs/train.py' }).sagemaker_program).toBe('"train.py"')
    expect(hpOf({ entryPoint: 'jobs/train.py', sourceDir: 'project' }).sagemaker_program).toBe('"jobs/train.py"')
  })
})

describe('script-mode hyperparameters', () => {
  it('gives the container the physical job name the plan uses, for any step name and base', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,62}$/),
        fc.option(fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,62}$/), { nil: undefined }),
        (name, baseJobName) => {
          const req = resolved(requestOf(planOf(pytorch(name, { ...base, ...(baseJobName !== undefined ? { baseJobName } : {}) })), name, 'CreateTrainingJob')) as {
            TrainingJobName: string
            HyperParameters: Record<string, string>
          }
          expect(req.HyperParameters.sagemaker_job_name).toBe(JSON.stringify(req.TrainingJobName))
          expect(req.TrainingJobName.length).toBeLessThanOrEqual(63)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('JSON-encodes user values, params included', () => {
    const lr = param.float('lr', { default: 0.1 })
    const opt = param.string('opt', { default: 'sgd' })
    const hp = hpOf({ hyperParameters: { lr, opt, layers: 3, tag: 'a "quoted" value', flag: false } })
    expect(hp).toMatchObject({ lr: '0.1', opt: '"sgd"', layers: '3', tag: '"a \\"quoted\\" value"', flag: 'false' })
  })

  it('sets the container log level', () => {
    expect(hpOf({ containerLogLevel: 40 }).sagemaker_container_log_level).toBe('40')
  })

  it('keeps passthrough fields (stopping, spot, checkpoint, tags, environment)', () => {
    const plan = planOf(
      pytorch('train', {
        ...base,
        stopping: { maxRuntimeInSeconds: 3600 },
        spot: { maxWaitTimeInSeconds: 7200 },
        checkpoint: { s3Uri: 's3://bucket/ckpt' },
        tags: { team: 'ml' },
        environment: { WANDB_MODE: 'offline' },
        volumeSizeInGb: 100,
        keepAlivePeriodInSeconds: 600,
      }),
    )
    expect(resolved(requestOf(plan, 'train', 'CreateTrainingJob'))).toMatchObject({
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 100, KeepAlivePeriodInSeconds: 600 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
      EnableManagedSpotTraining: true,
      CheckpointConfig: { S3Uri: 's3://bucket/ckpt' },
      Tags: [{ Key: 'team', Value: 'ml' }],
      Environment: { WANDB_MODE: 'offline' },
    })
  })

  it('reports unknown options as unknown fields of the step', () => {
    expect(messagesOf(pytorch('train', { ...base, ...({ entrypoint: 'x.py' } as object) } as PyTorchOptions))).toEqual([
      'steps.train.entrypoint: unknown field (found "x.py")',
    ])
  })
})

describe('run-time instance types', () => {
  const instanceType = param.string('instanceType', { default: 'ml.g5.2xlarge' })

  it('needs the processor to choose the image when the instance type is a param', () => {
    expect(messagesOf(pytorch('train', { ...base, instanceType }))).toEqual([
      'steps.train.instanceType: expected a literal instance type, or processor: "cpu" | "gpu" beside a run-time one (the image is chosen when the program is written), found {"_tag":"Param","name":"instanceType","type":"String","default":"ml.g5.2xlarge"}',
    ])
  })

  it('uses the declared processor, and leaves the instance type to the run', () => {
    const plan = planOf(pytorch('train', { ...base, instanceType, processor: 'gpu' }))
    const req = requestOf(plan, 'train', 'CreateTrainingJob').input
    expect(req.AlgorithmSpecification?.TrainingImage).toBe('763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311')
    expect(req.ResourceConfig?.InstanceType).toEqual(instanceType)
  })
})

describe('what validate says about a preset that could not choose an image', () => {
  it('says why, and not also that the image is missing', () => {
    const s = pytorch('train', { ...base, frameworkVersion: '0.1' })
    expect(s.image).toBeUndefined()
    const r = validate(program(s))
    expect(E.isLeft(r) && r.left.map((e) => e.path)).toEqual(['steps.train.frameworkVersion'])
  })

  it('still says the image is missing for a hand-written step without presetErrors', () => {
    const { image: _image, ...noImage } = pytorch('train', base)
    expect(messagesOf(noImage as never)).toEqual(['steps.train.image: expected exactly one of image and algorithmName, found nothing'])
  })
})

describe('the service-model check itself', () => {
  it.skipIf(serviceSkip !== undefined)('fails a request that breaks the model (so passing means something)', () => {
    const model = serviceModelOrSkip().model!
    const req = resolved(requestOf(planOf(pytorch('train', base)), 'train', 'CreateTrainingJob'))
    expect(() => assertValidRequest(model, 'CreateTrainingJob', { ...req, TrainingJobName: `bad_name_${RUN}` })).toThrow(/TrainingJobName/)
  })
})
