/**
 * SparkML Serving: hosts an MLeap-serialised Spark ML pipeline (`sagemaker-sparkml-serving`), often
 * the first container of an inference pipeline. No script; the input/output schema may be given
 * once here (`SAGEMAKER_SPARKML_SCHEMA`) instead of with every request.
 *
 * @since 0.1.0
 */
import { frameworkModel, presetError, type ModelPassthrough, type PresetError, type RuntimeOptions, type Environment } from './script-mode.js'
import type { ContainerDefinition } from '../spec/model.js'
import type { Val } from '../spec/val.js'

export const SPARKML_TYPES = ['boolean', 'byte', 'short', 'integer', 'long', 'float', 'double', 'string'] as const
export const SPARKML_STRUCTS = ['basic', 'vector', 'array'] as const

export interface SparkMLColumn {
  readonly name: string
  readonly type: (typeof SPARKML_TYPES)[number]
  /** @default 'basic' */
  readonly struct?: (typeof SPARKML_STRUCTS)[number]
}

export interface SparkMLSchema {
  readonly input: ReadonlyArray<SparkMLColumn>
  readonly output: SparkMLColumn
}

export const SPARKML_SCHEMA_ENV = 'SAGEMAKER_SPARKML_SCHEMA'
/** The newest Spark version in the image table. */
export const DEFAULT_SPARK_VERSION = '2.4'

export interface SparkMLModelOptions extends ModelPassthrough, Pick<RuntimeOptions, 'region'> {
  /** The MLeap bundle (`model.tar.gz`). */
  readonly modelData: ContainerDefinition['modelDataUrl']
  /** @default '2.4' */
  readonly sparkVersion?: string
  readonly schema?: SparkMLSchema
  readonly env?: Environment
  /** One image serves every instance type; given only to be checked. */
  readonly instanceType?: Val<string>
}

const columnErrors = (c: SparkMLColumn, at: string): ReadonlyArray<PresetError> => [
  ...(typeof c.name === 'string' && c.name !== '' ? [] : [presetError(`${at}.name`, 'a column name', c.name)]),
  ...((SPARKML_TYPES as ReadonlyArray<string>).includes(c.type) ? [] : [presetError(`${at}.type`, `one of ${SPARKML_TYPES.join(', ')}`, c.type)]),
  ...(c.struct === undefined || (SPARKML_STRUCTS as ReadonlyArray<string>).includes(c.struct) ? [] : [presetError(`${at}.struct`, `one of ${SPARKML_STRUCTS.join(', ')}`, c.struct)]),
]

const schemaErrors = (s: SparkMLSchema | undefined): ReadonlyArray<PresetError> =>
  s === undefined
    ? []
    : [
        ...(s.input.length === 0 ? [presetError('schema.input', 'at least one input column', s.input)] : []),
        ...s.input.flatMap((c, i) => columnErrors(c, `schema.input.${i}`)),
        ...columnErrors(s.output, 'schema.output'),
      ]

/** A SparkML Serving model. @category constructors */
export const sparkmlModel = (name: string, options: SparkMLModelOptions) => {
  const { sparkVersion, schema, instanceType, ...rest } = options
  const version = sparkVersion ?? DEFAULT_SPARK_VERSION
  return frameworkModel(
    name,
    // One image for every processor: a run-time instance type needs no processor hint.
    { ...rest, instanceType: typeof instanceType === 'string' ? instanceType : 'ml.c5.xlarge' },
    {
      image: { framework: 'sparkml-serving' },
      versions: [version],
      paths: { version: 'sparkVersion' },
      ...(schema !== undefined ? { env: { [SPARKML_SCHEMA_ENV]: JSON.stringify(schema) } } : {}),
      errors: schemaErrors(schema),
    },
  )
}
