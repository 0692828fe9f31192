/**
 * One tuning job's Describe response and its training jobs, fixed: the analytics, table, CSV and plot
 * tests read the same jobs.
 */
import type { TrainingJobSummary, TuningDescription } from '../../../src/interpret/tuning/analytics.js'

const t = (minutes: number) => new Date(Date.UTC(2026, 2, 14, 9, 0, 0) + minutes * 60_000)

export const description: TuningDescription = {
  HyperParameterTuningJobName: 'churn-tune-r1',
  HyperParameterTuningJobStatus: 'Completed',
  HyperParameterTuningJobConfig: {
    Strategy: 'Bayesian',
    HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:auc' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 7, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.5' }],
      IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10' }],
      CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
    },
  },
}

const job = (
  n: number,
  status: 'Completed' | 'Failed' | 'InProgress',
  start: number,
  end: number | undefined,
  auc: number | undefined,
  hp: Record<string, string>,
): TrainingJobSummary => ({
  TrainingJobName: `churn-tune-r1-00${n}-a1b2c3d${n}`,
  TrainingJobArn: `arn:aws:sagemaker:us-west-2:111122223333:training-job/churn-tune-r1-00${n}-a1b2c3d${n}`,
  CreationTime: t(start),
  TrainingStartTime: t(start),
  ...(end === undefined ? {} : { TrainingEndTime: t(end) }),
  TrainingJobStatus: status,
  TunedHyperParameters: hp,
  ...(auc === undefined ? {} : { FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:auc', Value: auc } }),
})

export const summaries: ReadonlyArray<TrainingJobSummary> = [
  job(1, 'Completed', 0, 12, 0.8412, { eta: '0.3', max_depth: '6', booster: '"gbtree"' }),
  job(2, 'Completed', 0, 15, 0.8675, { eta: '0.12', max_depth: '4', booster: '"dart"' }),
  job(3, 'Failed', 13, 14, undefined, { eta: '0.5', max_depth: '10', booster: '"gbtree"' }),
  job(4, 'Completed', 15, 29, 0.8551, { eta: '0.05', max_depth: '8', booster: '"say \\"hi\\", ok"' }),
  job(5, 'Completed', 16, 31, 0.8931, { eta: '0.08', max_depth: '5', booster: '"dart"' }),
  job(6, 'Completed', 30, 44, 0.8931, { eta: '0.07', max_depth: '5', booster: '"gbtree"' }),
  job(7, 'InProgress', 32, undefined, undefined, { eta: '0.09', max_depth: '7', booster: '"dart"' }),
]
