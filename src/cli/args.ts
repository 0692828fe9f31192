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
type Token = { readonly kind: string; readonly name?: string }

/** The first single-valued option given twice, if any. */
const repeatedFlag = (tokens: ReadonlyArray<Token> | undefined, options: Options): string | undefined => {
  const seen = new Set<string>()
  for (const t of tokens ?? []) {
    if (t.kind !== 'option' || t.name === undefined || options[t.name]?.multiple === true) continue
    if (seen.has(t.name)) return t.name
    seen.add(t.name)
  }
  return undefined
}
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
  let repeated: string | undefined
  try {
    const withTokens = parseArgs({ args: [...args], allowPositionals: true, options: all, tokens: true })
    repeated = repeatedFlag(withTokens.tokens, all)
    parsed = withTokens as unknown as Parsed<O>
  } catch (e) {
    io.err(`${withSuggestion((e as Error).message, Object.keys(all))}\n\n${usage}`)
    return { ok: false, code: 2 }
  }
  // parseArgs keeps the last of a repeated single-valued flag: which one the user meant is a guess.
  if (repeated !== undefined) {
    io.err(`--${repeated} is given more than once; give it once\n\n${usage}`)
    return { ok: false, code: 2 }
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.out(usage)
    return { ok: false, code: 0 }
  }
  return { ok: true, values: parsed.values, positionals: parsed.positionals }
}
