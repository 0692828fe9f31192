/**
 * "Did you mean" for the command line: parseArgs' unknown-option errors with the nearest flag.
 *
 * @since 0.2.0
 */
import { suggest } from '../spec/suggest.js'

export { distance, suggest } from '../spec/suggest.js'

/** `unknown option "--taget" (did you mean "--target"?)` for parseArgs errors. */
export const withSuggestion = (message: string, options: Iterable<string>): string => {
  const m = /Unknown option '(--?[^']+)'/.exec(message)
  if (m === null) return message
  const s = suggest(m[1]!.replace(/^-+/, ''), options)
  return `unknown option "${m[1]}"${s === undefined ? '' : ` (did you mean "--${s}"?)`}`
}
