import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileJavaPattern } from '../../src/spec/java-regex.js'

// The one translation of AWS's (Java) patterns: the generator of service-rules.generated.ts, validate
// and the tests' request checker all use it.
describe('compileJavaPattern (botocore patterns, Java semantics)', () => {
  // Every expectation below was checked against java.util.regex (Java 17)
  // with Pattern.compile(p).matcher(s).matches().
  const cases: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
    // full match, even when the model omits the anchors
    ['[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}', ['a', 'xgb-churn--1'], ['bad_name!', '-a', 'a-', '']],
    ['^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}', ['a-b'], ['bad_name!']],
    ['[-0-9a-zA-Z]+', ['sg-0123'], ['sg 0123', 'sg-0123\n']],
    ['(^DisplayName$)|(^Description$)', ['DisplayName', 'Description'], ['DisplayNameX']],
    ['^https://([^/]+)/?(.*)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*', ['https://x/y', 'repo-1'], ['repo_1']],
    // Java's `$` matches before a final line terminator, but a full match must consume it
    ['a$', ['a'], ['a\n']],
    // Java's `.` excludes line terminators, including U+0085
    ['.*', ['any thing'], ['a\nb', 'a\u0085b', 'a\u2028b']],
    ['(?s).*', ['a\nb', 'a\u0085b'], []],
    ['[\\S\\s]*', ['a \n\u00A0'], []],
    // Java's \s and \S are ASCII-only
    ['\\S+', ['a\u00A0b'], ['a b']],
    ['\\s', [' ', '\t'], ['\u00A0']],
    // \p{...} needs the u flag
    ['^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', ['Zoë Müller', 'team:ml/+=@-_.', ''], ['a#b', 'a,b']],
    ['[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+', ['Grüße!', '数据'], ['a b']],
    // quantified anchor: `${1,128}` is just `$`
    ['^([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}', ['key:1', ''], ['a#', 'abc\n']],
    // identity escapes JavaScript's u mode rejects
    ['[a-zA-Z0-9\\ \\_\\.]+', ['v1.0 beta_2'], ['v1-0']],
    ['[\\w-.]+', ['a-.'], ['a b']],
    // escaped surrogate pairs are one code point
    ['[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*', ['db 😀\t'], ['a\nb']],
    // POSIX classes are ASCII-only
    ['\\p{Alpha}+', ['abc'], ['é']],
    ['\\A\\S[\\p{Print}]*\\z', ['model-1.tar.gz', 'a b', 'é'], [' a', 'aé']],
    ['\\p{ASCII}*', ['text/csv'], ['é']],
    ['arn:[\\p{Alnum}\\-]+:lambda:.*', ['arn:aws-cn:lambda:x'], ['arn:aws_cn:lambda:x']],
    // Java properties JavaScript spells differently
    ['\\p{LD}+', ['a1é'], ['a-']],
    ['[\\p{IsWhitespace}]', [' ', '\u00A0'], ['a']],
    ['\\p{IsLatin}+', ['abcé'], ['α']],
    ['\\p{all}*', ['a\n😀'], []],
    // class intersection and nested classes
    ['[\\p{Print}&&[^|:/]]+', ['ab'], ['a|b', 'a:b']],
    ['[a-z&&[^aeiou]]+', ['bcd'], ['bad']],
    ['[a[b-c]]+', ['abc'], ['d']],
    ['[^a[b]]', ['c'], ['a', 'b']],
    ['[]a]', [']', 'a'], ['b']],
    // possessive quantifiers and atomic groups never give back
    ['a*+a', [], ['aaa', 'a']],
    ['(?>a|ab)c', ['ac'], ['abc']],
    ['arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\\d{1}+:\\d{12}+:application/[a-zA-Z0-9_.-]{1,128}', ['arn:aws:kinesisanalytics:us-east-1:123456789012:application/app'], []],
    // a {n,m} after a quantifier is ignored by Java
    ['[0-9a-zA-Z]{11}{0,1011}', ['abcdefghijk'], ['', 'abc', 'abcdefghijkabcdefghijk']],
    ['^\\S+{1,256}$', ['abc'], ['a b']],
    // inline flags
    ['(?i)all|[0-9]{12}', ['ALL', 'All', '123456789012'], ['al']],
    ['(?!(?i)(arn|aws):)[a-z:]+', ['foo:x'], ['ARN:x', 'aws:x']],
    ['(?ms)\\s*^-----BEGIN (?-s:.*)KEY-----$.*?^-----END (?-s:.*)KEY-----$\\s*', ['-----BEGIN RSA KEY-----\nabc\n-----END RSA KEY-----\n'], ['-----BEGIN\nRSA KEY-----\n-----END RSA KEY-----']],
    // escapes
    ['[^/:|\\000-\\037]+', ['abc'], ['a\u0001b', 'a/b']],
    ['\\Qa.b\\E+', ['a.bbb'], ['axb']],
    ['\\x{1F600}', ['😀'], ['a']],
  ]

  it.each(cases)('%s', (pattern, accepted, rejected) => {
    const result = compileJavaPattern(pattern)
    if (!result.ok) throw new Error(result.reason)
    for (const text of accepted) expect(result.compiled.regex.test(text), `should accept ${JSON.stringify(text)}`).toBe(true)
    for (const text of rejected) expect(result.compiled.regex.test(text), `should reject ${JSON.stringify(text)}`).toBe(false)
  })

  it('records the Java-only constructs it rewrote', () => {
    const conversionsOf = (pattern: string): readonly string[] => {
      const result = compileJavaPattern(pattern)
      return result.ok ? result.compiled.conversions : [`failed: ${result.reason}`]
    }
    expect(conversionsOf('[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}')).toEqual([])
    expect(conversionsOf('^([\\p{L}]*)${1,128}')).toEqual(['quantified assertion'])
    expect(conversionsOf('[a-zA-Z0-9\\ \\_]+')).toEqual(['identity escape \\ ', 'identity escape \\_'])
    expect(conversionsOf('\\p{Print}+')).toEqual(['POSIX class \\p{Print}'])
    expect(conversionsOf('a*+')).toEqual(['possessive quantifier'])
  })

  it('reports what it cannot translate instead of guessing', () => {
    for (const pattern of ['(.)\\1', '\\p{InGreek}', 'a{', '[a-z]{,3}', '(?x)a b', '(', '[a', 'a**', '\\E', '\\y']) {
      const result = compileJavaPattern(pattern)
      expect(result.ok, pattern).toBe(false)
      if (!result.ok) expect(result.reason, pattern).not.toBe('')
    }
  })

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), (pattern) => {
        const result = compileJavaPattern(pattern)
        if (result.ok) expect(result.compiled.regex.flags).toContain('u')
      }),
      { numRuns: 500 },
    )
  })
})

