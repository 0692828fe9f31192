/**
 * Instance types per use, from the lists `@aws-sdk/client-sagemaker` exports (the SDK is regenerated
 * from AWS's service model, so its lists are current): training (and tuning) jobs, endpoint variants
 * and transform jobs each accept their own set. A near miss gets "did you mean". The lists are copied
 * into `instance-type-lists.ts` by a script (a test keeps them equal to the SDK's), so validating a
 * program never loads the SDK.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import * as C from './codec.js'
import { HOSTING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES, TRANSFORM_INSTANCE_TYPES } from './instance-type-lists.js'
import { suggest } from './suggest.js'
import type { StrVal } from './val.js'

/**
 * An enum codec whose message names the use and the nearest real type instead of listing hundreds.
 * It inherits the enum codec (its name, `is`, and the metadata test generators read), replacing only
 * `validate`.
 */
const instanceTypeOf = (name: string, use: string, values: ReadonlyArray<string>) => {
  const base = C.oneOf(name, values)
  const validate: t.Validate<unknown, string> = (u, c) => {
    if (base.is(u)) return t.success(u)
    // `m5.xlarge` is most likely `ml.m5.xlarge`: compare with the prefix SageMaker's types all have.
    const near = typeof u === 'string' ? suggest(u.startsWith('ml.') ? u : `ml.${u}`, values) : undefined
    return C.fail(u, c, {
      _tag: 'InvalidField',
      expected: `an instance type ${use}${near === undefined ? ` (the SDK's ${name} lists them)` : ` (did you mean "${near}"?)`}`,
    })
  }
  // Refs of a closed set's values are text (a hyperparameter, say), never a name or a URI.
  return C.val(Object.assign(Object.create(base) as typeof base, { validate }), 'string', 'Enum') as unknown as t.Type<StrVal<'Enum'>, StrVal<'Enum'>, unknown>
}

export const TrainingInstance = instanceTypeOf('TrainingInstanceType', 'that training and tuning jobs run on', TRAINING_INSTANCE_TYPES)
export const HostingInstance = instanceTypeOf('ProductionVariantInstanceType', 'that endpoints are hosted on', HOSTING_INSTANCE_TYPES)
export const TransformInstance = instanceTypeOf('TransformInstanceType', 'that transform jobs run on', TRANSFORM_INSTANCE_TYPES)
