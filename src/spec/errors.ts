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
  /** A ref of the right scalar type but another meaning (`meaning.ts`): a training job's name as a model. */
  | { readonly _tag: 'RefMeaningMismatch'; readonly path: string; readonly ref: string; readonly expected: string; readonly actual: string }
  /** A bare string where another resource is named: a ref or `existing(…)` is needed; `hint` says which. */
  | { readonly _tag: 'BareName'; readonly path: string; readonly name: string; readonly expected: string; readonly hint: string }
  | { readonly _tag: 'UndeclaredParam'; readonly path: string; readonly name: string }
  | { readonly _tag: 'ParamTypeMismatch'; readonly path: string; readonly name: string; readonly expected: string; readonly actual: string }
  | { readonly _tag: 'DuplicateStepName'; readonly path: string; readonly name: string }
  | { readonly _tag: 'Cycle'; readonly path: string; readonly steps: ReadonlyArray<string> }
  | { readonly _tag: 'Rule'; readonly path: string; readonly expected: string; readonly actual: unknown }
  /** Code the program names that cannot be packed: a missing entry point, source dir or dependency. */
  | { readonly _tag: 'CodeProblem'; readonly path: string; readonly problem: string }

/** `a string`, `an integer`. */
const withArticle = (w: string): string => `${/^[aeiou]/i.test(w) ? 'an' : 'a'} ${w}`

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  try {
    const s = JSON.stringify(u)
    return s === undefined ? String(u) : s.length > 120 ? `${s.slice(0, 117)}...` : s
  } catch {
    return String(u)
  }
}

// An error about the whole input (a program that is not an object) has the empty path.
const where = (e: SpecError): string => (e.path === '' ? 'the program' : e.path)

/** One line a person can act on: `path: expected X, found Y`. @category destructors */
export const message = (e: SpecError): string => {
  switch (e._tag) {
    case 'InvalidField':
      return `${where(e)}: expected ${e.expected}, found ${show(e.actual)}`
    case 'MissingField':
      return `${where(e)}: required field is missing (expected ${e.expected})`
    case 'UnknownField':
      return `${where(e)}: unknown field (found ${show(e.actual)})`
    case 'DanglingRef':
      return `${where(e)}: refers to step "${e.step}", which is not in the program`
    case 'UnknownOutput':
      return `${where(e)}: step "${e.step}" has no output "${e.output}" (expected one of: ${e.expected})`
    case 'RefTypeMismatch':
      return `${where(e)}: ${e.ref} is ${withArticle(e.actual)}, but this field needs ${withArticle(e.expected)}`
    case 'RefMeaningMismatch':
      return `${where(e)}: expected ${e.expected}, found ${e.actual}`
    case 'BareName':
      return `${where(e)}: expected ${e.expected}, found the bare name ${show(e.name)}: ${e.hint}`
    case 'UndeclaredParam':
      return `${where(e)}: parameter "${e.name}" is not declared in the program's params`
    case 'ParamTypeMismatch':
      return `${where(e)}: parameter "${e.name}" is ${e.actual}, but this field needs ${e.expected}`
    case 'DuplicateStepName':
      return `${where(e)}: step name "${e.name}" is used more than once`
    case 'Cycle':
      return `${where(e)}: dependency cycle ${e.steps.join(' -> ')}`
    case 'Rule':
      return `${where(e)}: expected ${e.expected}, found ${show(e.actual)}`
    case 'CodeProblem':
      return `${where(e)}: ${e.problem}`
  }
}

export const pathOf = (e: SpecError): string => e.path
