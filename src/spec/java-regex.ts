/**
 * Java regex → JavaScript regex. AWS's service models (botocore's `service-2.json`) write their
 * patterns in Java's dialect and SageMaker applies them as a full match; the generator of
 * `service-rules.generated.ts`, `validate` (through that module) and the tests' request checker all
 * use this one translation, so what sagespec refuses is what SageMaker would refuse.
 *
 * The differences that matter most in practice: Java's `.` excludes every line terminator (`\n`,
 * `\r`, U+0085, U+2028, U+2029; JavaScript's does match U+0085), Java's `\s`/`\S` are ASCII-only,
 * `\p{Print}` and the other POSIX classes exist, quantifiers may be possessive. Lengths are checked
 * elsewhere and count code points.
 *
 * @since 0.2.0
 */

export interface CompiledPattern {
  /** The pattern exactly as it appears in the model (Java dialect). */
  readonly pattern: string
  /** A JavaScript regex (`u` flag) that matches a whole string iff the Java pattern fully matches it. */
  readonly regex: RegExp
  /** Java-only constructs that had to be rewritten (empty for most patterns). */
  readonly conversions: readonly string[]
}

export type PatternCompilation =
  | { readonly ok: true; readonly compiled: CompiledPattern }
  | { readonly ok: false; readonly pattern: string; readonly reason: string }

/** The source of a `u`-flag regex that fully matches what the translated `source` matches. */
const fullMatch = (source: string): string => `^(?:${source})$`


/*
 * botocore patterns come from AWS's (Java) service definitions and use Java's
 * regex dialect: `\p{Print}` and other POSIX classes, `\A…\z`, possessive
 * quantifiers, atomic groups, inline flags, class intersection (`&&`),
 * identity escapes such as `\_` or `\ ` that JavaScript's `u` mode rejects,
 * quantified anchors such as `${1,128}`, `\uD800\uDC00` surrogate pairs.
 *
 * The translator parses the Java pattern and emits JavaScript (for the `u`
 * flag) with the same meaning, including where the two dialects silently
 * differ: Java's `.` also excludes U+0085, Java's `$` also matches before a
 * final line terminator, Java's `\s` is ASCII-only, Java ignores a `{n,m}`
 * that follows another quantifier. The reference is `java.util.regex` as of
 * Java 17. Anything the translator does not understand raises
 * PatternTranslationError, and the pattern is reported as uncompilable rather
 * than checked with the wrong meaning. Backreferences are refused on purpose:
 * Java fails a backreference to a group that did not participate, JavaScript
 * matches it as empty.
 */

class PatternTranslationError extends Error {
  override readonly name = 'PatternTranslationError'
}

interface RegexFlags {
  /** CASE_INSENSITIVE (ASCII-only unless UNICODE_CASE) */
  readonly i: boolean
  /** DOTALL */
  readonly s: boolean
  /** MULTILINE */
  readonly m: boolean
  /** UNIX_LINES: only `\n` terminates a line */
  readonly d: boolean
  /** UNICODE_CASE */
  readonly u: boolean
}

const DEFAULT_FLAGS: RegexFlags = { i: false, s: false, m: false, d: false, u: false }

interface Scope {
  flags: RegexFlags
}

type PieceKind = 'atom' | 'assertion' | 'quantified' | 'alternation'

interface Piece {
  readonly text: string
  readonly kind: PieceKind
}

/** Something that matches exactly one character. */
type ClassItem =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  /** Text that can be embedded inside `[...]`. */
  | { readonly kind: 'set'; readonly text: string }
  /** A standalone single-character matcher that cannot be embedded inside `[...]`. */
  | { readonly kind: 'atom'; readonly text: string }

type EscapeResult =
  | ClassItem
  | { readonly kind: 'assertion'; readonly text: string }
  | { readonly kind: 'sequence'; readonly text: string }
  | { readonly kind: 'quote'; readonly cps: readonly number[] }

const ANY_CHAR = '[\\s\\S]'
const INPUT_START = '(?<![\\s\\S])'
const INPUT_END = '(?![\\s\\S])'
const JAVA_SPACE = '\\t-\\r '
const JAVA_HSPACE = ' \\t\\u00A0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000'
const JAVA_VSPACE = '\\n\\u000B\\f\\r\\u0085\\u2028\\u2029'

function lineTerminators(flags: RegexFlags): string {
  return flags.d ? '\\n' : '\\n\\r\\u0085\\u2028\\u2029'
}

/** Java's `.` */
function javaDot(flags: RegexFlags): string {
  return flags.s ? ANY_CHAR : `[^${lineTerminators(flags)}]`
}

/** Java's `$` (and `\Z`) without MULTILINE: end of input, or before a final line terminator. */
function javaEnd(flags: RegexFlags): string {
  const terminator = flags.d ? '\\n' : `(?:\\r\\n|[${lineTerminators(flags)}])`
  return `(?=${terminator}?${INPUT_END})`
}

function javaLineStart(flags: RegexFlags): string {
  return flags.m ? `(?<![^${lineTerminators(flags)}])` : '^'
}

function javaLineEnd(flags: RegexFlags): string {
  return flags.m ? `(?![^${lineTerminators(flags)}])` : javaEnd(flags)
}

/** Java's POSIX character classes (US-ASCII, the default). */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\u0000-\\u007F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E',
  Graph: '\\u0021-\\u007E',
  Print: '\\u0020-\\u007E',
  Blank: ' \\t',
  Cntrl: '\\u0000-\\u001F\\u007F',
  XDigit: '0-9a-fA-F',
  Space: JAVA_SPACE,
}

/** Other property names Java accepts without a prefix. */
const JAVA_PLAIN_PROPERTIES: Readonly<Record<string, string>> = {
  all: '\\u{0}-\\u{10FFFF}',
  L1: '\\u0000-\\u00FF',
  LD: '\\p{L}\\p{Nd}',
  javaLowerCase: '\\p{Lowercase}',
  javaUpperCase: '\\p{Uppercase}',
  javaTitleCase: '\\p{Lt}',
  javaDigit: '\\p{Nd}',
  javaLetter: '\\p{L}',
  javaLetterOrDigit: '\\p{L}\\p{Nd}',
  javaAlphabetic: '\\p{Alphabetic}',
  javaIdeographic: '\\p{Ideographic}',
}

/**
 * Java's `\p{IsX}` binary properties (matched case-insensitively, underscores
 * optional), as JavaScript property escapes.
 */
const JAVA_IS_PROPERTIES: Readonly<Record<string, string>> = {
  ALPHABETIC: '\\p{Alphabetic}',
  ASSIGNED: '\\p{Assigned}',
  CONTROL: '\\p{Cc}',
  HEXDIGIT: '\\p{Hex_Digit}',
  IDEOGRAPHIC: '\\p{Ideographic}',
  JOINCONTROL: '\\p{Join_Control}',
  LETTER: '\\p{L}',
  LOWERCASE: '\\p{Lowercase}',
  UPPERCASE: '\\p{Uppercase}',
  TITLECASE: '\\p{Lt}',
  NONCHARACTERCODEPOINT: '\\p{Noncharacter_Code_Point}',
  PUNCTUATION: '\\p{P}',
  PUNCT: '\\p{P}',
  WHITESPACE: '\\p{White_Space}',
  DIGIT: '\\p{Nd}',
  ALNUM: '\\p{Alphabetic}\\p{Nd}',
  BLANK: '\\p{Zs}\\t',
}

/** Property classes whose meaning changes under case-insensitive matching. */
const CASE_SENSITIVE_PROPERTY = /\\p\{(?:Lu|Ll|Lt|LC|Lowercase|Uppercase)\}|^(?:a-z|A-Z)$/

const SYNTAX_CHARS = '^$\\.*+?()[]{}|/'
const CLASS_SYNTAX_CHARS = '\\]^-[/'

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0')
}

function isAsciiLetter(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)
}

function isAsciiAlnum(cp: number): boolean {
  return isAsciiLetter(cp) || (cp >= 0x30 && cp <= 0x39)
}

function otherCase(cp: number): number {
  return cp >= 0x61 ? cp - 0x20 : cp + 0x20
}

function propertyCompiles(name: string): boolean {
  try {
    new RegExp(`\\p{${name}}`, 'u')
    return true
  } catch {
    return false
  }
}

class JavaPatternTranslator {
  private readonly cps: readonly number[]
  private pos = 0
  private atomicGroups = 0
  readonly conversions = new Set<string>()

  constructor(private readonly source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0) ?? 0)
  }

  translate(): string {
    const pieces = this.parseAlternation({ flags: DEFAULT_FLAGS }, true)
    return pieces.map((p) => p.text).join('')
  }

  private error(message: string): PatternTranslationError {
    return new PatternTranslationError(`${message} (at offset ${this.pos})`)
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset]
    return cp === undefined ? undefined : String.fromCodePoint(cp)
  }

  private next(): number {
    const cp = this.cps[this.pos]
    if (cp === undefined) throw this.error('unexpected end of pattern')
    this.pos++
    return cp
  }

  private eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++
      return true
    }
    return false
  }

  // -- sequences, groups, quantifiers ---------------------------------------

  private parseAlternation(scope: Scope, isRoot: boolean): Piece[] {
    const pieces: Piece[] = []
    while (this.pos < this.cps.length) {
      if (this.peek() === ')') {
        if (isRoot) throw this.error("unmatched ')'")
        return pieces
      }
      const cp = this.next()
      const flags = scope.flags
      switch (String.fromCodePoint(cp)) {
        case '|':
          pieces.push({ text: '|', kind: 'alternation' })
          break
        case '(': {
          const group = this.parseGroup(scope)
          if (group !== undefined) pieces.push(group)
          break
        }
        case '[':
          pieces.push({ text: this.unionText(this.parseClass(flags)), kind: 'atom' })
          break
        case '\\':
          pieces.push(...this.escapePieces(this.parseEscape(false, flags), flags))
          break
        case '^':
          pieces.push({ text: javaLineStart(flags), kind: 'assertion' })
          break
        case '$':
          pieces.push({ text: javaLineEnd(flags), kind: 'assertion' })
          break
        case '.':
          pieces.push({ text: javaDot(flags), kind: 'atom' })
          break
        case '*':
        case '?':
          this.quantify(pieces, String.fromCodePoint(cp), 0, false)
          break
        case '+':
          this.quantify(pieces, '+', 1, false)
          break
        case '{': {
          const braces = this.parseBraces()
          this.quantify(pieces, braces.text, braces.min, true)
          break
        }
        default:
          pieces.push(this.literalPiece(cp, flags))
      }
    }
    if (!isRoot) throw this.error('unclosed group')
    return pieces
  }

  /** After '{': `n}`, `n,}` or `n,m}`. Java rejects anything else ("Illegal repetition"). */
  private parseBraces(): { text: string; min: number } {
    const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 24))
    const m = /^(\d+)(?:,(\d*))?\}/.exec(rest)
    if (m === null) throw this.error("illegal repetition: '{' does not start a quantifier")
    const min = Number(m[1])
    const max = m[2] === undefined ? min : m[2] === '' ? undefined : Number(m[2])
    if (max !== undefined && max < min) throw this.error(`illegal repetition range {${m[0]}`)
    this.pos += m[0].length
    return { text: `{${m[0]}`, min }
  }

  private quantify(pieces: Piece[], quantifier: string, min: number, braces: boolean): void {
    const last = pieces[pieces.length - 1]
    let suffix = ''
    let possessive = false
    if (this.eat('?')) suffix = '?'
    else if (this.eat('+')) possessive = true
    if (last === undefined || last.kind === 'alternation') throw this.error(`dangling quantifier ${quantifier}`)
    if (last.kind === 'quantified') {
      // Java quietly applies a {n,m} that follows a quantifier to an empty node,
      // i.e. ignores it (`a{2}{3}` matches "aa"); `*`, `+`, `?` there are errors.
      if (!braces) throw this.error(`dangling quantifier ${quantifier}`)
      this.conversions.add('stacked {n,m} quantifier (ignored, as Java does)')
      return
    }
    if (last.kind === 'assertion') {
      // Java accepts a quantified zero-width assertion (e.g. `${1,128}`); JavaScript's
      // u mode does not. Repeating an assertion changes nothing, and allowing zero
      // repetitions makes it vacuous.
      this.conversions.add('quantified assertion')
      if (min === 0) pieces.pop()
      return
    }
    const text = last.text + quantifier + suffix
    if (possessive) {
      this.conversions.add('possessive quantifier')
      pieces[pieces.length - 1] = { text: this.atomic(text), kind: 'quantified' }
    } else {
      pieces[pieces.length - 1] = { text, kind: 'quantified' }
    }
  }

  /**
   * An atomic group: `(?=(X))\k` is the exact JavaScript equivalent of Java's
   * `(?>X)` (a lookahead is never backtracked into). Backreferences are refused
   * elsewhere, so the extra capture cannot renumber anything.
   */
  private atomic(text: string): string {
    this.atomicGroups++
    const name = `atomic${this.atomicGroups}`
    return `(?:(?=(?<${name}>${text}))\\k<${name}>)`
  }

  private parseGroup(scope: Scope): Piece | undefined {
    if (!this.eat('?')) return this.finishGroup('(', scope.flags, 'atom')
    const ch = this.peek()
    if (ch === ':') {
      this.pos++
      return this.finishGroup('(?:', scope.flags, 'atom')
    }
    if (ch === '=' || ch === '!') {
      this.pos++
      return this.finishGroup(`(?${ch}`, scope.flags, 'assertion')
    }
    if (ch === '<') {
      this.pos++
      const la = this.peek()
      if (la === '=' || la === '!') {
        this.pos++
        return this.finishGroup(`(?<${la}`, scope.flags, 'assertion')
      }
      let name = ''
      while (this.peek() !== undefined && this.peek() !== '>') name += String.fromCodePoint(this.next())
      if (!this.eat('>') || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw this.error('malformed named group')
      // Our own atomic-group captures are named atomicN; keep user names apart.
      return this.finishGroup(`(?<user_${name}>`, scope.flags, 'atom')
    }
    if (ch === '>') {
      this.pos++
      this.conversions.add('atomic group')
      const inner = this.finishGroup('(?:', scope.flags, 'atom')
      return { text: this.atomic(inner.text), kind: 'atom' }
    }
    // Inline flags: (?idmsux-idmsux) or (?idmsux-idmsux:X)
    let flagText = ''
    while (/^[A-Za-z-]$/.test(this.peek() ?? '')) flagText += String.fromCodePoint(this.next())
    const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?$/.exec(flagText)
    const terminator = this.peek()
    if (m === null || flagText === '' || (terminator !== ')' && terminator !== ':')) {
      throw this.error('unsupported group construct')
    }
    this.pos++
    const flags: { -readonly [K in keyof RegexFlags]: boolean } = { ...scope.flags }
    for (const [letters, value] of [
      [m[1] ?? '', true],
      [m[2] ?? '', false],
    ] as const) {
      for (const letter of letters) {
        if (letter === 'i' || letter === 's' || letter === 'm' || letter === 'd' || letter === 'u') flags[letter] = value
        else throw this.error(`unsupported inline flag '${letter}'`)
      }
    }
    if (flags.i && flags.u) throw this.error('Unicode case folding ((?iu)) is not supported')
    this.conversions.add(`inline flags (?${flagText})`)
    if (terminator === ')') {
      scope.flags = flags // applies to the rest of the enclosing group
      return undefined
    }
    return this.finishGroup('(?:', flags, 'atom')
  }

  private finishGroup(open: string, flags: RegexFlags, kind: 'atom' | 'assertion'): Piece {
    const pieces = this.parseAlternation({ flags }, false)
    this.pos++ // ')'
    return { text: `${open}${pieces.map((p) => p.text).join('')})`, kind }
  }

  // -- literals and escapes -------------------------------------------------

  private literalPiece(cp: number, flags: RegexFlags): Piece {
    if (flags.i && isAsciiLetter(cp)) {
      return { text: `[${String.fromCodePoint(cp)}${String.fromCodePoint(otherCase(cp))}]`, kind: 'atom' }
    }
    return { text: this.literalText(cp), kind: 'atom' }
  }

  private literalText(cp: number): string {
    if (cp > 0xffff) return `\\u{${cp.toString(16).toUpperCase()}}`
    const ch = String.fromCharCode(cp)
    if (isAsciiAlnum(cp)) return ch
    if (cp >= 0x20 && cp < 0x7f) return SYNTAX_CHARS.includes(ch) ? `\\${ch}` : ch
    return `\\u${hex4(cp)}`
  }

  private classCharText(cp: number): string {
    if (cp > 0xffff) return `\\u{${cp.toString(16).toUpperCase()}}`
    const ch = String.fromCharCode(cp)
    if (isAsciiAlnum(cp)) return ch
    if (cp >= 0x20 && cp < 0x7f) return CLASS_SYNTAX_CHARS.includes(ch) ? `\\${ch}` : ch
    return `\\u${hex4(cp)}`
  }

  private escapePieces(result: EscapeResult, flags: RegexFlags): Piece[] {
    switch (result.kind) {
      case 'char':
        return [this.literalPiece(result.cp, flags)]
      case 'quote':
        return result.cps.map((cp) => this.literalPiece(cp, flags))
      case 'set':
        return [{ text: `[${result.text}]`, kind: 'atom' }]
      case 'atom':
      case 'sequence':
        return [{ text: result.text, kind: 'atom' }]
      case 'assertion':
        return [{ text: result.text, kind: 'assertion' }]
      case 'range':
        throw this.error('internal: range outside a class')
    }
  }

  private parseEscape(inClass: boolean, flags: RegexFlags): EscapeResult {
    if (this.pos >= this.cps.length) throw this.error('trailing backslash')
    const cp = this.next()
    const ch = String.fromCodePoint(cp)
    const outsideClassOnly = (): void => {
      if (inClass) throw this.error(`\\${ch} inside a character class`)
    }
    switch (ch) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return { kind: 'set', text: `\\${ch}` }
      case 's':
        return { kind: 'set', text: JAVA_SPACE }
      case 'S':
        return { kind: 'atom', text: `[^${JAVA_SPACE}]` }
      case 'h':
        this.conversions.add('\\h')
        return { kind: 'set', text: JAVA_HSPACE }
      case 'H':
        this.conversions.add('\\H')
        return { kind: 'atom', text: `[^${JAVA_HSPACE}]` }
      case 'v':
        this.conversions.add('\\v')
        return { kind: 'set', text: JAVA_VSPACE }
      case 'V':
        this.conversions.add('\\V')
        return { kind: 'atom', text: `[^${JAVA_VSPACE}]` }
      case 'R':
        outsideClassOnly()
        this.conversions.add('\\R')
        return { kind: 'sequence', text: `(?:\\r\\n|[${JAVA_VSPACE}])` }
      case 'p':
      case 'P':
        return this.parseProperty(ch === 'P', flags)
      case 'b':
      case 'B':
        outsideClassOnly()
        if (this.peek() === '{') throw this.error('unsupported \\b{...}')
        return { kind: 'assertion', text: `\\${ch}` }
      case 'A':
        outsideClassOnly()
        this.conversions.add('\\A')
        return { kind: 'assertion', text: INPUT_START }
      case 'z':
        outsideClassOnly()
        this.conversions.add('\\z')
        return { kind: 'assertion', text: INPUT_END }
      case 'Z':
        outsideClassOnly()
        this.conversions.add('\\Z')
        return { kind: 'assertion', text: javaEnd(flags) }
      case 'Q': {
        this.conversions.add('\\Q…\\E quoting')
        const quoted: number[] = []
        while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) quoted.push(this.next())
        if (this.pos < this.cps.length) this.pos += 2
        return { kind: 'quote', cps: quoted }
      }
      case 't':
        return { kind: 'char', cp: 0x09 }
      case 'n':
        return { kind: 'char', cp: 0x0a }
      case 'r':
        return { kind: 'char', cp: 0x0d }
      case 'f':
        return { kind: 'char', cp: 0x0c }
      case 'a':
        return { kind: 'char', cp: 0x07 }
      case 'e':
        return { kind: 'char', cp: 0x1b }
      case 'c':
        return { kind: 'char', cp: this.next() ^ 0x40 }
      case '0': {
        // Java octal: \0n, \0nn, \0mnn (m <= 3)
        this.conversions.add('octal escape')
        let digits = ''
        while (digits.length < 3 && /^[0-7]$/.test(this.peek() ?? '')) {
          if (digits.length === 2 && Number(digits[0]) > 3) break
          digits += String.fromCodePoint(this.next())
        }
        if (digits === '') throw this.error('illegal octal escape')
        return { kind: 'char', cp: parseInt(digits, 8) }
      }
      case 'x': {
        if (this.eat('{')) {
          this.conversions.add('\\x{...}')
          let digits = ''
          while (this.peek() !== undefined && this.peek() !== '}') digits += String.fromCodePoint(this.next())
          if (!this.eat('}') || !/^[0-9a-fA-F]{1,6}$/.test(digits)) throw this.error('malformed \\x{...}')
          const value = parseInt(digits, 16)
          if (value > 0x10ffff) throw this.error('\\x{...} out of range')
          return { kind: 'char', cp: value }
        }
        return { kind: 'char', cp: this.hexDigits(2) }
      }
      case 'u': {
        const unit = this.hexDigits(4)
        if (unit >= 0xd800 && unit <= 0xdbff && this.peek() === '\\' && this.peek(1) === 'u') {
          // Java joins an escaped surrogate pair into one code point.
          const save = this.pos
          this.pos += 2
          const low = this.hexDigits(4)
          if (low >= 0xdc00 && low <= 0xdfff) return { kind: 'char', cp: 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00) }
          this.pos = save
        }
        return { kind: 'char', cp: unit }
      }
      case 'k':
        throw this.error('backreferences are not supported')
      default:
        break
    }
    if (cp >= 0x31 && cp <= 0x39) throw this.error('backreferences are not supported')
    if (isAsciiAlnum(cp)) throw this.error(`unsupported escape \\${ch}`)
    // Identity escape of a non-alphanumeric character: Java allows any; JavaScript's
    // u mode only allows syntax characters (and '-' inside a class).
    if (!SYNTAX_CHARS.includes(ch) && !(inClass && ch === '-')) this.conversions.add(`identity escape \\${ch}`)
    return { kind: 'char', cp }
  }

  private hexDigits(count: number): number {
    let digits = ''
    for (let k = 0; k < count; k++) {
      const ch = this.peek()
      if (ch === undefined || !/^[0-9a-fA-F]$/.test(ch)) throw this.error('malformed hex escape')
      digits += ch
      this.pos++
    }
    return parseInt(digits, 16)
  }

  private parseProperty(negated: boolean, flags: RegexFlags): ClassItem {
    let name: string
    if (this.eat('{')) {
      name = ''
      while (this.peek() !== undefined && this.peek() !== '}') name += String.fromCodePoint(this.next())
      if (!this.eat('}')) throw this.error('unterminated \\p{')
    } else {
      name = String.fromCodePoint(this.next())
    }
    const display = `\\${negated ? 'P' : 'p'}{${name}}`
    const text = this.propertySet(name, display)
    if (flags.i && CASE_SENSITIVE_PROPERTY.test(text)) {
      throw this.error(`case-insensitive ${display} is not supported`)
    }
    return negated ? { kind: 'atom', text: `[^${text}]` } : { kind: 'set', text }
  }

  /** The contents of a JavaScript class equivalent to Java's `\p{name}`. */
  private propertySet(name: string, display: string): string {
    const posix = POSIX_CLASSES[name]
    if (posix !== undefined) {
      this.conversions.add(`POSIX class ${display}`)
      return posix
    }
    const plain = JAVA_PLAIN_PROPERTIES[name]
    if (plain !== undefined) {
      this.conversions.add(`property ${display}`)
      return plain
    }
    if (/^In/.test(name) || /^(blk|block)=/i.test(name)) {
      throw this.error(`Unicode blocks are not supported by JavaScript: ${display}`)
    }
    const keyed = /^(sc|script|gc|general_category)=(.+)$/i.exec(name)
    if (keyed !== null) {
      const key = (keyed[1] ?? '').toLowerCase()
      const property = `${key === 'sc' || key === 'script' ? 'Script' : 'General_Category'}=${keyed[2] ?? ''}`
      if (propertyCompiles(property)) return `\\p{${property}}`
      throw this.error(`unknown property ${display}`)
    }
    const is = /^Is(.+)$/.exec(name)
    if (is !== null) {
      this.conversions.add(`property ${display}`)
      const bare = is[1] ?? ''
      const binary = JAVA_IS_PROPERTIES[bare.toUpperCase().replace(/_/g, '')]
      if (binary !== undefined) return binary
      // A general category (\p{IsLu}) or a script, whose names Java matches case-insensitively.
      if (/^[A-Z][a-z]?$/.test(bare) && propertyCompiles(`General_Category=${bare}`)) return `\\p{${bare}}`
      const script = bare.charAt(0).toUpperCase() + bare.slice(1).toLowerCase()
      for (const candidate of [`Script=${bare}`, `Script=${script}`]) {
        if (propertyCompiles(candidate)) return `\\p{${candidate}}`
      }
      throw this.error(`unknown property ${display}`)
    }
    // Java: a bare name is a general category (L, Lu, ...).
    if (/^[A-Z][a-z]?$/.test(name) && propertyCompiles(`General_Category=${name}`)) return `\\p{${name}}`
    throw this.error(`unknown property ${display}`)
  }

  // -- character classes ----------------------------------------------------

  /**
   * Parses after '['; returns the class as a union of single-character items.
   * Java semantics (9+): nested classes are unions, `&&` intersects, and a
   * leading `^` negates the whole class.
   */
  private parseClass(flags: RegexFlags): ClassItem[] {
    const negated = this.eat('^')
    const operands: ClassItem[][] = []
    let current: ClassItem[] = []
    let first = true
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) throw this.error('unclosed character class')
      if (ch === ']' && !first) {
        this.pos++
        break
      }
      first = false
      if (ch === '[') {
        this.pos++
        this.conversions.add('nested character class')
        current.push(...this.parseClass(flags))
        continue
      }
      if (ch === '&' && this.peek(1) === '&') {
        this.pos += 2
        this.conversions.add('character class intersection')
        operands.push(current)
        current = []
        continue
      }
      const item = this.parseClassAtom(flags)
      if (Array.isArray(item)) {
        current.push(...item)
        continue
      }
      if (item.kind === 'char' && this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']' && this.peek(1) !== '[') {
        this.pos++ // '-'
        const hi = this.parseClassAtom(flags)
        if (Array.isArray(hi) || hi.kind !== 'char') throw this.error('illegal character range')
        if (hi.cp < item.cp) throw this.error('illegal character range (reversed)')
        current.push({ kind: 'range', lo: item.cp, hi: hi.cp })
      } else {
        current.push(item)
      }
    }
    operands.push(current)
    const cased = operands.map((items) => (flags.i ? this.caseFold(items) : items))
    let union: ClassItem[]
    if (cased.length === 1) {
      union = cased[0] ?? []
    } else {
      if (cased.some((items) => items.length === 0)) throw this.error('empty operand in character class intersection')
      const texts = cased.map((items) => this.unionText(items))
      const last = texts.pop() ?? ''
      union = [{ kind: 'atom', text: `(?:${texts.map((t) => `(?=${t})`).join('')}${last})` }]
    }
    return negated ? [{ kind: 'atom', text: this.negatedUnionText(union) }] : union
  }

  /** One class atom: a char, a class escape, or (for \Q…\E) several chars. */
  private parseClassAtom(flags: RegexFlags): ClassItem | ClassItem[] {
    const cp = this.next()
    if (cp !== 0x5c) return { kind: 'char', cp }
    const escape = this.parseEscape(true, flags)
    switch (escape.kind) {
      case 'quote':
        return escape.cps.map((q) => ({ kind: 'char', cp: q }))
      case 'assertion':
      case 'sequence':
        throw this.error('escape not allowed inside a character class')
      default:
        return escape
    }
  }

  /** Java's default CASE_INSENSITIVE is ASCII-only: add the other case of ASCII letters. */
  private caseFold(items: readonly ClassItem[]): ClassItem[] {
    const out: ClassItem[] = [...items]
    for (const item of items) {
      if (item.kind === 'char' && isAsciiLetter(item.cp)) out.push({ kind: 'char', cp: otherCase(item.cp) })
      if (item.kind === 'range') {
        for (const [lo, hi] of [
          [0x61, 0x7a],
          [0x41, 0x5a],
        ] as const) {
          const a = Math.max(lo, item.lo)
          const b = Math.min(hi, item.hi)
          if (a <= b) out.push({ kind: 'range', lo: otherCase(a), hi: otherCase(b) })
        }
      }
    }
    return out
  }

  private inlineText(items: readonly ClassItem[]): string {
    return items
      .map((item) => {
        switch (item.kind) {
          case 'char':
            return this.classCharText(item.cp)
          case 'range':
            return `${this.classCharText(item.lo)}-${this.classCharText(item.hi)}`
          case 'set':
            return item.text
          case 'atom':
            throw this.error('internal: atom inside inline class text')
        }
      })
      .join('')
  }

  private unionText(items: readonly ClassItem[]): string {
    const inline = items.filter((i) => i.kind !== 'atom')
    const atoms = items.flatMap((i) => (i.kind === 'atom' ? [i.text] : []))
    const parts = inline.length > 0 || atoms.length === 0 ? [`[${this.inlineText(inline)}]`, ...atoms] : atoms
    return parts.length === 1 ? (parts[0] ?? '') : `(?:${parts.join('|')})`
  }

  private negatedUnionText(items: readonly ClassItem[]): string {
    if (items.every((i) => i.kind !== 'atom')) return `[^${this.inlineText(items)}]`
    return `(?:(?!${this.unionText(items)})${ANY_CHAR})`
  }
}

const patternCache = new Map<string, PatternCompilation>()

/**
 * Compile a Java-dialect pattern (as botocore's service models carry them) into a JavaScript regex
 * (`u` flag) that tests for a **full** match, like Java's `Matcher.matches()`. Results are cached.
 * Never throws: an untranslatable or uncompilable pattern yields `{ ok: false, reason }`.
 */
export function compileJavaPattern(pattern: string): PatternCompilation {
  const cached = patternCache.get(pattern)
  if (cached !== undefined) return cached
  const result = compileUncached(pattern)
  patternCache.set(pattern, result)
  return result
}

function compileUncached(pattern: string): PatternCompilation {
  try {
    const translator = new JavaPatternTranslator(pattern)
    const source = translator.translate()
    // The translation always targets the u flag (it emits \u{...} and \p{...});
    // JavaScript's non-u syntax would silently give some escapes another meaning.
    const regex = new RegExp(fullMatch(source), 'u')
    return { ok: true, compiled: { pattern, regex, conversions: [...translator.conversions] } }
  } catch (error) {
    return { ok: false, pattern, reason: error instanceof Error ? error.message : String(error) }
  }
}
