/**
 * Field codecs with a meaning (`meaning.ts`): the primitives' literal checks, plus which refs fit —
 * in the static type (`StrVal`/`RefVal`, so the compiler rejects a training job's name as a model) and
 * in the codec (so `validate` rejects it in JSON programs). Fields that name another resource take a
 * ref or `existing('name')`, never a bare string.
 *
 * @since 0.3.0
 */
import type * as t from 'io-ts'
import * as C from './codec.js'
import { describeReference, type FieldMeaning, type ReferenceMeaning } from './meaning.js'
import * as P from './primitives.js'
import type { Existing, RefVal, StrVal } from './val.js'

/** The same literal check as a `vstr` codec, its refs typed and checked by `meaning`. */
export const withMeaning = <F extends FieldMeaning>(codec: t.Type<any, any, unknown>, meaning: F): t.Type<StrVal<F>, StrVal<F>, unknown> => {
  const m = C.metaOf(codec)
  if (m.kind !== 'val') throw new Error(`withMeaning: ${codec.name} is not a Val codec`)
  return C.val(m.codec, m.valKind, meaning) as unknown as t.Type<StrVal<F>, StrVal<F>, unknown>
}

const EXISTING_KEYS = new Set(['_tag', 'name'])

// The literal name codec of each `existing` codec, so test generators can make valid ones.
const existingNames = new WeakMap<t.Type<any, any, unknown>, t.Type<any, any, unknown>>()
/** The codec an `existing(name)` leaf's name passes, if `codec` is such a leaf's codec. */
export const existingNameCodec = (codec: t.Type<any, any, unknown>): t.Type<any, any, unknown> | undefined => existingNames.get(codec)

/**
 * `existing('name')` whose name passes `name` (the field's own literal check); a bare string is
 * refused with a `BareName` issue, which `validate` completes with "did you mean".
 */
const existingOf = (name: t.Type<any, any, unknown>, meaning: ReferenceMeaning): t.Type<Existing, Existing, unknown> => {
  const literal = C.metaOf(name).kind === 'val' ? (C.metaOf(name) as { codec: t.Type<any, any, unknown> }).codec : name
  const expected = describeReference(meaning)
  const isExisting = (u: unknown): u is Existing =>
    typeof u === 'object' && u !== null && !Array.isArray(u) && (u as { _tag?: unknown })._tag === 'Existing' && Object.keys(u).every((k) => EXISTING_KEYS.has(k)) && literal.is((u as { name?: unknown }).name)
  const codec: t.Type<Existing, Existing, unknown> = C.scalar(`Existing<${literal.name}>`, expected, isExisting)
  // Only `validate` is replaced, to say more when it refuses: it accepts exactly what `isExisting`
  // does, so the compiled check `made` inherits from the scalar (`isExisting` itself) stays right.
  const made = Object.assign(Object.create(codec) as typeof codec, {
    validate: (u: unknown, c: t.Context): t.Validation<Existing> => {
      if (isExisting(u)) return { _tag: 'Right', right: u } as t.Validation<Existing>
      if (typeof u === 'string') return C.fail(u, c, { _tag: 'BareName', expected, meaning })
      if (typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'Existing') {
        const r = literal.validate((u as { name?: unknown }).name, C.child(c, 'name', literal))
        if (r._tag === 'Left') return r as t.Validation<Existing>
      }
      return C.fail(u, c, { _tag: 'InvalidField', expected })
    },
  })
  existingNames.set(made, literal)
  return made
}

/** A field naming a resource of `meaning`: a ref to the step that makes it, or `existing(name)`. */
export const reference = <F extends ReferenceMeaning>(name: t.Type<any, any, unknown>, meaning: F): t.Type<RefVal<F>, RefVal<F>, unknown> =>
  C.val(existingOf(name, meaning), 'string', meaning) as unknown as t.Type<RefVal<F>, RefVal<F>, unknown>

export const S3Uri = withMeaning(P.S3Uri, 'S3Uri')
export const DataUri = withMeaning(P.DataUri, 'S3Uri')
export const OutputUri = withMeaning(P.OutputUri, 'S3Uri')
export const ImageUri = withMeaning(P.ImageUri, 'ImageUri')
export const RoleArn = withMeaning(P.RoleArn, 'RoleArn')
export const AlgorithmName = withMeaning(P.AlgorithmName, 'AlgorithmName')
export const KmsKeyId = withMeaning(P.KmsKeyId, 'KmsKeyId')
/** The endpoint a step creates or updates (its own name, so a literal is fine). */
export const EndpointName = withMeaning(P.ResourceName, 'EndpointName')
export const EndpointConfigName = withMeaning(P.ResourceName, 'EndpointConfigName')

/** The model an endpoint variant or a transform job uses. */
export const ModelRef = reference(P.ResourceName, 'ModelName')
/** A container's model package: usually `pkg.outputs.arn`, or `existing('arn:…')` for a marketplace one. */
export const ModelPackageRef = reference(P.ModelPackageName, 'ModelPackage')
