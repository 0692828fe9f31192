/**
 * Models (`CreateModel`): one container, an inference pipeline of ordered containers, or a model
 * package. Model data is a `Val`, so it is usually a ref to a training step's artifacts.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import * as C from './codec.js'
import * as F from './fields.js'
import * as P from './primitives.js'
import { limits, serviceEnum } from './service-rules.js'

export const ContainerDefinition = C.struct(
  'ContainerDefinition',
  {},
  {
    /** Exactly one of `image` and `modelPackageName`. */
    image: F.ImageUri,
    /** A ref to a model package step (`pkg.outputs.arn`), or `existing('arn:…')` (a marketplace package). */
    modelPackageName: F.ModelPackageRef,
    modelDataUrl: F.withMeaning(C.vstr('ModelDataUrl', { max: limits('S3Uri').max, pattern: P.DATA_URI_PATTERN, describe: 'an S3 URI (or a local file:// URI) of the model artifacts' }), 'S3Uri'),
    environment: P.Environment,
    containerHostname: C.str('ContainerHostname', { ...limits('ContainerHostname'), describe: 'a host name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit' }),
    mode: C.oneOf('ContainerMode', serviceEnum('ContainerMode')),
  },
)
export type ContainerDefinition = t.TypeOf<typeof ContainerDefinition>

export const modelFields = {
  required: {},
  optional: {
    /** A single container (`PrimaryContainer`). Exactly one of `container` and `containers`. */
    container: ContainerDefinition,
    /** An inference pipeline: containers called in order, each one's output the next one's input. */
    containers: C.array(ContainerDefinition, { min: 1, max: 15 }),
    /** Required unless the model is a marketplace model package. */
    role: F.RoleArn,
    vpc: P.Vpc,
    enableNetworkIsolation: C.vbool,
    /** @default the step's name */
    baseName: P.BaseName,
    tags: P.Tags,
    overrides: P.overridesOf('Model'),
  },
} as const
