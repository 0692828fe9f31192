/**
 * Every command parses its arguments the same way: `node:util` parseArgs with positionals, `--help`
 * prints the usage (exit 0), and a parse error prints what was wrong — with "did you mean" for a
 * mistyped flag — and the usage (exit 2).
 *
 * @since 0.2.0
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Io } from './compile.js'
import { withSuggestion } from './suggest.js'

type Options = NonNullable<ParseArgsConfig['options']>
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & { help: { type: 'boolean'; short: 'h' } } }>>

/** The parsed arguments, or the exit code when usage or an error was printed. */
export const parseCommand = <O extends Options>(
  args: ReadonlyArray<string>,
  options: O,
  usage: string,
  io: Io,
): { readonly ok: true; readonly values: Parsed<O>['values']; readonly positionals: Parsed<O>['positionals'] } | { readonly ok: false; readonly code: number } => {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } }
  let parsed: Parsed<O>
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: all })
  } catch (e) {
    io.err(`${withSuggestion((e as Error).message, Object.keys(all))}\n\n${usage}`)
    return { ok: false, code: 2 }
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.out(usage)
    return { ok: false, code: 0 }
  }
  return { ok: true, values: parsed.values, positionals: parsed.positionals }
}
