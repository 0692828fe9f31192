/** Valid CreateHyperParameterTuningJob requests for tuning tests, and known objective functions. */
import type * as SM from '@aws-sdk/client-sagemaker'

export type Request = SM.CreateHyperParameterTuningJobCommandInput
export type Config = SM.HyperParameterTuningJobConfig

export const request = (name: string, config: Partial<Config>, statics: Record<string, string> = {}, rest: Partial<Request> = {}): Request => ({
  HyperParameterTuningJobName: name,
  HyperParameterTuningJobConfig: {
    Strategy: 'Random',
    HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'loss' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 1 },
    ...config,
  },
  TrainingJobDefinition: {
    AlgorithmSpecification: { TrainingImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
    OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    StaticHyperParameters: statics,
  },
  ...rest,
})

/** Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]: three global minima of 0.397887. */
export const branin = (x1: number, x2: number): number => {
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  const t = 1 / (8 * Math.PI)
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10
}
export const BRANIN_MIN = 0.397887

/** Forrester et al. (2008) on [0, 1]: multimodal, global minimum −6.020740 at x ≈ 0.75725 (a local one near 0.14). */
export const forrester = (x: number): number => (6 * x - 2) ** 2 * Math.sin(12 * x - 4)
export const FORRESTER_MIN = -6.02074

export const continuous = (Name: string, MinValue: string, MaxValue: string, ScalingType: SM.HyperParameterScalingType = 'Linear'): SM.ContinuousParameterRange => ({ Name, MinValue, MaxValue, ScalingType })
