/**
 * The programs the benchmarks measure: a chain (each training job starts from the previous one's
 * model, so one runs at a time) and a fan-out (one training job feeding many models).
 */
import { model, training, type Step } from '../src/spec/index.js'

export const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
export const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/bench:1'

type ModelUri = ReturnType<typeof training>['outputs']['modelArtifacts']

export const trainingStep = (name: string, modelUri?: ModelUri, tags?: Readonly<Record<string, string>>) =>
  training(name, {
    image,
    role,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: 's3://bench-bucket/out' },
    channels: { train: { uri: 's3://bench-bucket/train/' } },
    hyperParameters: { epochs: 10, lr: 0.1 },
    ...(tags !== undefined ? { tags } : {}),
    ...(modelUri !== undefined ? { modelUri } : {}),
  })

/** t0 → t1 → … (incremental training: each job starts from the previous one's model). */
export const chain = (n: number, tags?: Readonly<Record<string, string>>): Step[] => {
  const steps: Array<ReturnType<typeof training>> = [trainingStep('t0', undefined, tags)]
  for (let i = 1; i < n; i++) steps.push(trainingStep(`t${i}`, steps[i - 1]!.outputs.modelArtifacts, tags))
  return steps
}

/** One training job feeding n-1 models: after it, everything is ready at once. */
export const fanOut = (n: number): Step[] => {
  const t = trainingStep('t0')
  const steps: Step[] = [t]
  for (let i = 1; i < n; i++) steps.push(model(`m${i}`, { container: { image, modelDataUrl: t.outputs.modelArtifacts }, role }))
  return steps
}
