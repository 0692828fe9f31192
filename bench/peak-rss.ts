/**
 * Peak memory of one measured case, honestly: a fresh process per measurement, reporting its own
 * `process.resourceUsage().maxRSS` — the whole process, the program's construction included (a user's
 * process holds it too). The case runs as a user's process runs sagespec: plain `node` on a bundle
 * (the CLI ships as one), not through tsx, whose loader thread alone adds tens of MB. Beside it, the
 * same bundle doing nothing but loading (`idle`), so what the work itself costs is plain.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A bench file's `--case` mode, run in fresh processes; `close` removes the bundle. */
export interface CaseRunner {
  /** Peak RSS in MB of `node <bundle> --case ...args` (the case prints `{"peakRssMb":…}` last). */
  readonly peakRssMb: (...args: ReadonlyArray<string>) => number
  readonly close: () => void
}

export const caseRunner = async (benchFile: string): Promise<CaseRunner> => {
  // Beside the bench file, not in the system's temp folder: the bundle's external packages (tar, the AWS
  // SDK) are found from there, in the project's node_modules.
  const dir = mkdtempSync(join(dirname(benchFile), '.sagespec-bench-'))
  const outfile = join(dir, 'case.mjs')
  // Loaded here only: the bundle holds this module too, and runs where esbuild cannot be found.
  const { build } = await import('esbuild')
  await build({
    entryPoints: [benchFile],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // As the CLI bundle has them: loaded from node_modules, and only if a case needs them.
    external: ['@aws-sdk/*', 'dockerode', 'tar', 'tsx', 'tsx/*', 'esbuild'],
    logLevel: 'warning',
  })
  return {
    peakRssMb: (...args) => {
      const out = execFileSync(process.execPath, [outfile, '--case', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
      return (JSON.parse(out.trim().split('\n').pop()!) as { peakRssMb: number }).peakRssMb
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** What a `--case` process prints last. */
export const reportPeakRss = (): void => console.log(JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 }))

const benchDir = dirname(fileURLToPath(import.meta.url))

/**
 * Peak RSS in MB of `sagespec <args>` run as a user runs it: the launcher on the built bundle (`npm run
 * build`), in a fresh process that reports its own peak at exit (bench/report-rss.cjs, preloaded).
 */
export const cliPeakRssMb = (args: ReadonlyArray<string>): number => {
  const root = join(benchDir, '..')
  const r = spawnSync(process.execPath, ['--require', join(benchDir, 'report-rss.cjs'), join(root, 'bin', 'sagespec.js'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`sagespec ${args.join(' ')} exited ${r.status}: ${r.stderr} (is the CLI built? npm run build)`)
  return (JSON.parse(r.stderr.trim().split('\n').pop()!) as { peakRssMb: number }).peakRssMb
}
