/**
 * SageMaker's limits for a string shape, from the generated module, as `C.str` options: the pattern
 * (already translated from Java's dialect; `u` flag, full match) and the length limits in code points.
 *
 * @since 0.2.0
 */
import { ENUMS, STRINGS } from './service-rules.generated.js'

export type StringShape = keyof typeof STRINGS

export interface Limits {
  readonly min: number
  readonly max: number
  readonly pattern?: RegExp
}

/** `min`, `max` and `pattern` of the service model's string shape `shape`. */
export const limits = (shape: StringShape): Limits => {
  const s: { readonly min: number; readonly max: number; readonly source?: string } = STRINGS[shape]
  return s.source === undefined ? { min: s.min, max: s.max } : { min: s.min, max: s.max, pattern: new RegExp(s.source, 'u') }
}

/**
 * Java's `.` (no line terminator), for the few sagespec patterns that are not the service model's own
 * (`file://` data sources, for local runs), so they refuse line breaks as the service's do.
 */
export const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]'

export type EnumShape = keyof typeof ENUMS
export type EnumValue<K extends EnumShape> = (typeof ENUMS)[K][number]

/**
 * The service model's values of enum shape `shape`, in its order, so a codec's list cannot drift from
 * SageMaker's; `without` drops values sagespec cannot plan for (each call says why).
 */
export const serviceEnum = <K extends EnumShape, const W extends EnumValue<K> = never>(shape: K, without: ReadonlyArray<W> = []): ReadonlyArray<Exclude<EnumValue<K>, W>> =>
  (ENUMS[shape] as ReadonlyArray<EnumValue<K>>).filter((v): v is Exclude<EnumValue<K>, W> => !(without as ReadonlyArray<string>).includes(v))
