/**
 * Everything `validate` can report. Each error names where (a dotted path such as
 * `steps.train.resources.instanceCount`), what was expected and what was found.
 *
 * @since 0.1.0
 */

/** @category errors */
export type SpecError =
  | { readonly _tag: 'InvalidField'; readonly path: string; readonly expected: string; readonly actual: unknown }
  | { readonly _tag: 'MissingField'; readonly path: string; readonly expected: string }
  | { readonly _tag: 'UnknownField'; readonly path: string; readonly actual: unknown }
  | { readonly _tag: 'DanglingRef'; readonly path: string; readonly step: string }
  | { readonly _tag: 'UnknownOutput'; readonly path: string; readonly step: string; readonly output: string; readonly expected: string }
  | { readonly _tag: 'RefTypeMismatch'; readonly path: string; readonly ref: string; readonly expected: string; readonly actual: string }
  | { readonly _tag: 'UndeclaredParam'; readonly path: string; readonly name: string }
  | { readonly _tag: 'ParamTypeMismatch'; readonly path: string; readonly name: string; readonly expected: string; readonly actual: string }
  | { readonly _tag: 'DuplicateStepName'; readonly path: string; readonly name: string }
  | { readonly _tag: 'Cycle'; readonly path: string; readonly steps: ReadonlyArray<string> }
  | { readonly _tag: 'Rule'; readonly path: string; readonly expected: string; readonly actual: unknown }

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  try {
    const s = JSON.stringify(u)
    return s === undefined ? String(u) : s.length > 120 ? `${s.slice(0, 117)}...` : s
  } catch {
    return String(u)
  }
}

/** One line a person can act on: `path: expected X, found Y`. @category destructors */
export const message = (e: SpecError): string => {
  switch (e._tag) {
    case 'InvalidField':
      return `${e.path}: expected ${e.expected}, found ${show(e.actual)}`
    case 'MissingField':
      return `${e.path}: required field is missing (expected ${e.expected})`
    case 'UnknownField':
      return `${e.path}: unknown field (found ${show(e.actual)})`
    case 'DanglingRef':
      return `${e.path}: refers to step "${e.step}", which is not in the program`
    case 'UnknownOutput':
      return `${e.path}: step "${e.step}" has no output "${e.output}" (expected one of: ${e.expected})`
    case 'RefTypeMismatch':
      return `${e.path}: ${e.ref} is a ${e.actual}, but this field needs a ${e.expected}`
    case 'UndeclaredParam':
      return `${e.path}: parameter "${e.name}" is not declared in the program's params`
    case 'ParamTypeMismatch':
      return `${e.path}: parameter "${e.name}" is ${e.actual}, but this field needs ${e.expected}`
    case 'DuplicateStepName':
      return `${e.path}: step name "${e.name}" is used more than once`
    case 'Cycle':
      return `${e.path}: dependency cycle ${e.steps.join(' -> ')}`
    case 'Rule':
      return `${e.path}: expected ${e.expected}, found ${show(e.actual)}`
  }
}

export const pathOf = (e: SpecError): string => e.path
