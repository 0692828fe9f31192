import { describe, expect, it } from 'vitest'
import { huggingface, huggingfaceModel, modelFromTraining, type HuggingFaceOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: HuggingFaceOptions = {
  entryPoint: 'train.py',
  sourceDir: 'scripts',
  codeLocation: 's3://bucket/code',
  transformersVersion: '4.36',
  pytorchVersion: '2.1.0',
  region: 'us-east-1',
  role: ROLE,
  instanceType: 'ml.g5.2xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  hyperParameters: { model_name_or_path: 'distilbert-base-uncased', epochs: 1 },
}

describe('hugging face training', () => {
  it('plans the exact CreateTrainingJob (golden)', () => {
    expect(resolved(requestOf(planOf(huggingface('hf', base)), 'hf', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `hf-${RUN}`,
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
        TrainingInputMode: 'File',
      },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        model_name_or_path: '"distilbert-base-uncased"',
        epochs: '1',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-east-1"',
        sagemaker_job_name: `"hf-${RUN}"`,
        sagemaker_container_log_level: '20',
      },
    })
    expect(huggingface('hf', base).framework).toMatchObject({ name: 'huggingface', version: '4.36', baseFramework: 'pytorch2.1.0' })
  })

  it('uses the TensorFlow image line for a TensorFlow base', () => {
    const { pytorchVersion: _pt, ...rest } = base
    expect(huggingface('hf', { ...rest, transformersVersion: '4.17', tensorflowVersion: '2.6.3' }).image).toBe(
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-tensorflow-training:2.6.3-transformers4.17.0-gpu-py38-cu112-ubuntu20.04',
    )
  })

  it('reports base framework and processor problems with exact messages', () => {
    expect(messagesOf(huggingface('hf', { ...base, tensorflowVersion: '2.6.3' }))).toEqual([
      'steps.hf.pytorchVersion: expected exactly one of pytorchVersion and tensorflowVersion (the base framework of the transformers image), found {"pytorchVersion":"2.1.0","tensorflowVersion":"2.6.3"}',
    ])
    const { pytorchVersion: _pt, ...neither } = base
    expect(messagesOf(huggingface('hf', neither))).toEqual([
      'steps.hf.pytorchVersion: expected exactly one of pytorchVersion and tensorflowVersion (the base framework of the transformers image), found nothing',
    ])
    expect(messagesOf(huggingface('hf', { ...base, pytorchVersion: '1.13' }))).toEqual([
      'steps.hf.pytorchVersion: expected a base framework for huggingface training 4.36.0, one of: pytorch2.1.0, pytorch2.1, found "pytorch1.13"',
    ])
    expect(messagesOf(huggingface('hf', { ...neither, transformersVersion: '4.17', tensorflowVersion: '2.4' }))).toEqual([
      'steps.hf.tensorflowVersion: expected a base framework for huggingface training 4.17.0, one of: pytorch1.10.2, pytorch1.10, tensorflow2.6.3, tensorflow2.6, found "tensorflow2.4"',
    ])
    expect(messagesOf(huggingface('hf', { ...base, instanceType: 'ml.m5.xlarge' }))).toEqual([
      'steps.hf.instanceType: expected a processor huggingface training 4.36.0 (pytorch2.1.0) has images for, one of: gpu, found "cpu (ml.m5.xlarge)"',
    ])
    expect(messagesOf(huggingface('hf', { ...base, transformersVersion: '5.0' }))).toEqual([
      'steps.hf.transformersVersion: expected a huggingface training version, one of: 4.17.0, 4.26.0, 4.28.1, 4.29.0, 4.36.0, 4.48.0, 4.17, 4.26, 4.28, 4.29, 4.36, 4.48, found "5.0"',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends a request the service model accepts', () => {
    expect(expectServiceValid(planOf(huggingface('hf', { ...base, distribution: { smdistributed: { dataParallel: { enabled: true } } }, instanceType: 'ml.p4d.24xlarge' })))).toBe(1)
  })
})

describe('hugging face models', () => {
  it('plans the exact CreateModel of a script-less model (golden)', () => {
    const m = huggingfaceModel('hfm', {
      modelData: 's3://bucket/model.tar.gz',
      role: ROLE,
      transformersVersion: '4.37',
      pytorchVersion: '2.1',
      instanceType: 'ml.m5.xlarge',
      region: 'us-east-1',
      env: { HF_TASK: 'text-classification' },
    })
    expect(resolved(requestOf(planOf(m), 'hfm', 'CreateModel'))).toEqual({
      ModelName: `hfm-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04',
        ModelDataUrl: 's3://bucket/model.tar.gz',
        Environment: { HF_TASK: 'text-classification' },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('modelFromTraining reports a transformers version without a serving image at its own option, and takes an override', () => {
    const train = huggingface('hf', base)
    expect(messagesOf(train, modelFromTraining(train, { instanceType: 'ml.m5.xlarge' }))).toEqual([
      'steps.hf-model.frameworkVersion: expected a huggingface inference version, one of: 4.17.0, 4.26.0, 4.28.1, 4.29.0, 4.37.0, 4.48.0, 4.17, 4.26, 4.28, 4.29, 4.37, 4.48, found "4.36"',
    ])
    expect(messagesOf(train, modelFromTraining(train, { instanceType: 'ml.m5.xlarge', frameworkVersion: '4.37', baseFramework: 'pytorch1.9' }))).toEqual([
      'steps.hf-model.baseFramework: expected a base framework for huggingface inference 4.37.0, one of: pytorch2.1.0, pytorch2.1, found "pytorch1.9"',
    ])
    const m = modelFromTraining(train, { instanceType: 'ml.m5.xlarge', frameworkVersion: '4.37' })
    expect(resolved(requestOf(planOf(train, m), 'hf-model', 'CreateModel'))).toEqual({
      ModelName: `hf-model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04',
        // The Hugging Face toolkit reads the script from the model archive: repacked.
        ModelDataUrl: `s3://bucket/code/${SHA}/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'train.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_REGION: 'us-east-1',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('reports a half-given script', () => {
    expect(
      messagesOf(huggingfaceModel('hfm', { role: ROLE, transformersVersion: '4.37', pytorchVersion: '2.1', instanceType: 'ml.m5.xlarge', region: 'us-east-1', codeLocation: 's3://b/code' })),
    ).toEqual(['steps.hfm.entryPoint: expected an entry point: sourceDir, dependencies and codeLocation come with one, found nothing'])
  })

  it.skipIf(serviceSkip !== undefined)('sends a request the service model accepts', () => {
    const train = huggingface('hf', base)
    expect(expectServiceValid(planOf(train, modelFromTraining(train, { instanceType: 'ml.g5.xlarge', frameworkVersion: '4.37' })))).toBe(2)
  })
})
