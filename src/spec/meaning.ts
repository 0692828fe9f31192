/**
 * Meanings: what a string (or number) *is*, beyond its scalar type. Every output a step exposes has
 * one (`outputs.ts`), and every field that takes a run-time value says which it accepts, so a
 * training job's name cannot become a transform's model nor model artifacts a container image. The
 * compiler checks them on `Ref`'s phantom meaning; `validate` checks them again for JSON programs and
 * untyped JavaScript, with the path, the meaning expected and the one found.
 *
 * Not checked by meaning: params (a value the user gives at run time), joins and the run id (explicit
 * construction: they take whatever meaning the field wants) and literals (their own patterns apply).
 *
 * @since 0.3.0
 */

/** What an output is. `Text` is any other string (statuses, descriptions, hyperparameter values). */
export type Meaning =
  | 'ModelName'
  | 'TrainingJobName'
  | 'TuningJobName'
  | 'EndpointName'
  | 'EndpointConfigName'
  | 'TransformJobName'
  | 'ModelPackageName'
  | 'TrainingJobArn'
  | 'TuningJobArn'
  | 'ModelArn'
  | 'EndpointArn'
  | 'TransformJobArn'
  | 'ModelPackageArn'
  | 'S3Uri'
  | 'ImageUri'
  | 'RoleArn'
  | 'AlgorithmName'
  | 'KmsKeyId'
  | 'Text'
  | 'Number'

/**
 * What a field takes. `Text` (free text: tags, environment, content types…) takes a ref of any string
 * meaning; `Enum` (a closed set such as instance types and modes) only plain `Text`; `ModelPackage`
 * a package's name or ARN; `Number` numbers; `Any` anything (hyperparameters, printed to strings);
 * every other meaning exactly itself.
 */
export type FieldMeaning = Exclude<Meaning, 'ModelPackageName' | 'ModelPackageArn'> | 'ModelPackage' | 'Enum' | 'Any'

/** The refs each field meaning accepts, at the type level: the phantom meaning of `Ref<A, M>`. */
export interface Accepts {
  readonly ModelName: 'ModelName'
  readonly TrainingJobName: 'TrainingJobName'
  readonly TuningJobName: 'TuningJobName'
  readonly EndpointName: 'EndpointName'
  readonly EndpointConfigName: 'EndpointConfigName'
  readonly TransformJobName: 'TransformJobName'
  readonly ModelPackage: 'ModelPackageName' | 'ModelPackageArn'
  readonly TrainingJobArn: 'TrainingJobArn'
  readonly TuningJobArn: 'TuningJobArn'
  readonly ModelArn: 'ModelArn'
  readonly EndpointArn: 'EndpointArn'
  readonly TransformJobArn: 'TransformJobArn'
  readonly S3Uri: 'S3Uri'
  readonly ImageUri: 'ImageUri'
  readonly RoleArn: 'RoleArn'
  readonly AlgorithmName: 'AlgorithmName'
  readonly KmsKeyId: 'KmsKeyId'
  readonly Text: Exclude<Meaning, 'Number'>
  readonly Enum: 'Text'
  readonly Number: 'Number'
  readonly Any: Meaning
}

const STRINGS: ReadonlyArray<Meaning> = [
  'ModelName', 'TrainingJobName', 'TuningJobName', 'EndpointName', 'EndpointConfigName', 'TransformJobName', 'ModelPackageName',
  'TrainingJobArn', 'TuningJobArn', 'ModelArn', 'EndpointArn', 'TransformJobArn', 'ModelPackageArn',
  'S3Uri', 'ImageUri', 'RoleArn', 'AlgorithmName', 'KmsKeyId', 'Text',
]

/** The same table at run time, for `validate`. */
export const ACCEPTS: { readonly [F in FieldMeaning]: ReadonlyArray<Meaning> } = {
  ModelName: ['ModelName'],
  TrainingJobName: ['TrainingJobName'],
  TuningJobName: ['TuningJobName'],
  EndpointName: ['EndpointName'],
  EndpointConfigName: ['EndpointConfigName'],
  TransformJobName: ['TransformJobName'],
  ModelPackage: ['ModelPackageName', 'ModelPackageArn'],
  TrainingJobArn: ['TrainingJobArn'],
  TuningJobArn: ['TuningJobArn'],
  ModelArn: ['ModelArn'],
  EndpointArn: ['EndpointArn'],
  TransformJobArn: ['TransformJobArn'],
  S3Uri: ['S3Uri'],
  ImageUri: ['ImageUri'],
  RoleArn: ['RoleArn'],
  AlgorithmName: ['AlgorithmName'],
  KmsKeyId: ['KmsKeyId'],
  Text: STRINGS,
  Enum: ['Text'],
  Number: ['Number'],
  Any: [...STRINGS, 'Number'],
}

export const fits = (field: FieldMeaning, found: Meaning): boolean => ACCEPTS[field].includes(found)

/** Words for a meaning: "a model name". */
export const MEANING_WORDS: { readonly [M in Meaning]: string } = {
  ModelName: 'a model name',
  TrainingJobName: 'a training job name',
  TuningJobName: 'a tuning job name',
  EndpointName: 'an endpoint name',
  EndpointConfigName: 'an endpoint config name',
  TransformJobName: 'a transform job name',
  ModelPackageName: 'a model package name',
  TrainingJobArn: 'a training job ARN',
  TuningJobArn: 'a tuning job ARN',
  ModelArn: 'a model ARN',
  EndpointArn: 'an endpoint ARN',
  TransformJobArn: 'a transform job ARN',
  ModelPackageArn: 'a model package ARN',
  S3Uri: 'an S3 URI',
  ImageUri: 'a container image URI',
  RoleArn: 'an IAM role ARN',
  AlgorithmName: 'an algorithm name',
  KmsKeyId: 'a KMS key id',
  Text: 'text',
  Number: 'a number',
}

/**
 * Fields that name a resource another step of a program may create. They take a ref, or `existing(…)`
 * for one made outside the program, never a bare name: `'churn'` where a step `churn` exists would cut
 * the dependency and name something that will not exist (the step's physical name is `churn-<run>`).
 * Per meaning: the step kind that makes it and the friendly output that names it.
 */
export const REFERENCE_TARGETS = {
  ModelName: { kind: 'Model', output: 'name', path: ['ModelName'] },
  TuningJobName: { kind: 'Tuning', output: 'jobName', path: ['HyperParameterTuningJobName'] },
  ModelPackage: { kind: 'ModelPackage', output: 'arn', path: ['ModelPackageArn'] },
} as const satisfies { readonly [F in FieldMeaning]?: { readonly kind: string; readonly output: string; readonly path: ReadonlyArray<string> } }

export type ReferenceMeaning = keyof typeof REFERENCE_TARGETS

/** "a model name (a ref to a Model step's outputs.name, or existing('…'))" */
export const describeReference = (m: ReferenceMeaning): string => {
  const t = REFERENCE_TARGETS[m]
  const what = m === 'ModelPackage' ? 'a model package name or ARN' : MEANING_WORDS[m]
  return `${what} (a ref to a ${t.kind} step's outputs.${t.output}, or existing('…'))`
}

/** Words for what a field takes. */
export const describeField = (f: FieldMeaning): string =>
  f in REFERENCE_TARGETS
    ? describeReference(f as ReferenceMeaning)
    : f === 'Text' || f === 'Any'
      ? 'text'
      : f === 'Enum'
        ? 'one of a fixed set of values'
        : f === 'ModelPackage'
          ? 'a model package name or ARN'
          : MEANING_WORDS[f]
