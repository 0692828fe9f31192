/**
 * The static type of a step's `overrides`: a deep partial of the SDK request the step's kind sends,
 * so a misspelt key is a compile error. `validate` still checks them as JSON at run time (a JSON
 * program or untyped JavaScript has no compiler), and the service-model test checks the merged request.
 *
 * @since 0.4.0
 */
import type {
  CreateEndpointConfigCommandInput,
  CreateHyperParameterTuningJobCommandInput,
  CreateModelCommandInput,
  CreateModelPackageCommandInput,
  CreateTrainingJobCommandInput,
  CreateTransformJobCommandInput,
  HyperParameterTrainingJobDefinition,
} from '@aws-sdk/client-sagemaker'
import type { Expr } from './val.js'

/** A whole value of `T` whose leaves may be run-time values (refs, params, joins): what a list holds. */
export type Whole<T> = T extends string
  ? T | Expr
  : T extends number | boolean
    ? T | Expr
    : T extends Date | Uint8Array
      ? T
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<Whole<U>>
        : T extends object
          ? { readonly [K in keyof T]: Whole<T[K]> }
          : T

/**
 * Every field optional at every depth, as `deepMerge` merges objects key by key; a list replaces the
 * request's list whole, so its items are whole too.
 */
export type DeepPartial<T> = T extends string
  ? T | Expr
  : T extends number | boolean
    ? T | Expr
    : T extends Date | Uint8Array
      ? T
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<Whole<U>>
        : T extends object
          ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
          : T

/** What each kind's overrides are merged into (see `requests.ts`). */
export interface OverridesByKind {
  readonly Training: DeepPartial<CreateTrainingJobCommandInput>
  /** A tuning template's own overrides address its training job definition. */
  readonly TrainingTemplate: DeepPartial<HyperParameterTrainingJobDefinition>
  readonly Tuning: DeepPartial<CreateHyperParameterTuningJobCommandInput>
  readonly Model: DeepPartial<CreateModelCommandInput>
  /** An endpoint's overrides are merged into its CreateEndpointConfig request (CreateEndpoint has only names and tags). */
  readonly Endpoint: DeepPartial<CreateEndpointConfigCommandInput>
  readonly Transform: DeepPartial<CreateTransformJobCommandInput>
  readonly ModelPackage: DeepPartial<CreateModelPackageCommandInput>
}
