/**
 * Local models: CreateModel, DescribeModel, DeleteModel. A model is only a record (what to serve and
 * how); endpoints and transform jobs read it. Answers have the cloud's shapes and its errors.
 *
 * @since 0.2.0
 */
import type { Output } from '../interpret/plan/operations.js'
import { serviceError } from '../interpret/plan/operations.js'
import { checkName, localArn, type Handlers, type LocalContext } from './context.js'

export type ModelRecord = Output<'DescribeModel'>

export const models = (ctx: LocalContext) => ctx.records<ModelRecord>('models')

/** The record of a model, or SageMaker's "Could not find model" error. */
export const findModel = (ctx: LocalContext, name: string): ModelRecord => {
  const m = models(ctx).get(checkName('modelName', name))
  if (m === undefined) throw serviceError('ValidationException', `Could not find model "${localArn(ctx, 'model', name)}".`)
  return m
}

export const modelHandlers: Handlers = {
  CreateModel: async (input, ctx) => {
    const name = checkName('modelName', input.ModelName)
    const arn = localArn(ctx, 'model', name)
    if (models(ctx).get(name) !== undefined) throw serviceError('ValidationException', `Cannot create already existing model "${arn}".`)
    const record: ModelRecord = {
      ModelName: name,
      ...(input.PrimaryContainer === undefined ? {} : { PrimaryContainer: input.PrimaryContainer }),
      ...(input.Containers === undefined ? {} : { Containers: input.Containers }),
      ...(input.InferenceExecutionConfig === undefined ? {} : { InferenceExecutionConfig: input.InferenceExecutionConfig }),
      ...(input.ExecutionRoleArn === undefined ? {} : { ExecutionRoleArn: input.ExecutionRoleArn }),
      ...(input.VpcConfig === undefined ? {} : { VpcConfig: input.VpcConfig }),
      CreationTime: ctx.now(),
      ModelArn: arn,
      EnableNetworkIsolation: input.EnableNetworkIsolation ?? false,
    }
    models(ctx).put(name, record)
    return { ModelArn: arn }
  },
  DescribeModel: async (input, ctx) => findModel(ctx, input.ModelName ?? ''),
  DeleteModel: async (input, ctx) => {
    findModel(ctx, input.ModelName ?? '')
    models(ctx).remove(input.ModelName!)
    return {}
  },
}
