/**
 * Model packages (`CreateModelPackage`) made from an algorithm and the model data it trained: what
 * the reference SDK's `ModelPackage(algorithm_arn=…, model_data=…)` creates before `CreateModel`, so
 * that a marketplace algorithm's model can be deployed (a model package is what such a model is
 * deployed from). The step's common `description` becomes `ModelPackageDescription`.
 *
 * @since 0.1.0
 */
import * as F from './fields.js'
import * as P from './primitives.js'

export const modelPackageFields = {
  required: {
    /** The algorithm that trained the model: a name or ARN (usually a marketplace algorithm's ARN). */
    algorithmName: F.AlgorithmName,
    /** The trained model data: usually `train.outputs.modelArtifacts`. */
    modelDataUrl: F.S3Uri,
  },
  optional: {
    /** Base of the physical package name (`<base>-<run>`). @default the step's name */
    baseName: P.BaseName,
    tags: P.Tags,
    overrides: P.overridesOf('ModelPackage'),
  },
} as const
