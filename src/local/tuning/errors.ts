/**
 * What is wrong with a tuning request, as values: each names the field and says what to do. The local
 * backend answers them as SageMaker does, with a `ValidationException`.
 *
 * @since 0.2.0
 */

/** @category errors */
export type TuningError =
  /** The request breaks one of SageMaker's rules for tuning jobs. */
  | { readonly _tag: 'InvalidRequest'; readonly path: string; readonly message: string }
  /** SageMaker accepts it, local tuning does not (yet). */
  | { readonly _tag: 'Unsupported'; readonly path: string; readonly message: string }
  /** A warm-start parent no earlier local tuning job answers for. */
  | { readonly _tag: 'ParentNotFound'; readonly path: string; readonly message: string }

export const invalid = (path: string, message: string): TuningError => ({ _tag: 'InvalidRequest', path, message })
export const unsupported = (path: string, message: string): TuningError => ({ _tag: 'Unsupported', path, message })

/** One line per error, for a `ValidationException`'s message. */
export const describeErrors = (errors: ReadonlyArray<TuningError>): string => errors.map((e) => `${e.path}: ${e.message}`).join('; ')
