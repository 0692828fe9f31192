/**
 * The `sagespec` command: one file per subcommand, each loaded only when used so startup stays fast.
 *
 * @since 0.1.0
 */
import type { Io } from './compile.js'
import { readFileSync } from 'node:fs'
import { defaultIo } from './io.js'
import { suggest } from './suggest.js'

const HELP = `sagespec — describe SageMaker work as typed data; plan it, export it, run it.

Commands:
  plan <program>      print the dry-run plan (text, json, mermaid or dot)
  airflow <program>   write an Apache Airflow DAG for the program
  run <program>       run the program on AWS or on this machine (--target aws|local)
  runs list|show      the runs journaled in .sagespec/runs
  endpoints list|describe|delete
                      the endpoints on a target (--target aws|local)
  predict <endpoint>  send data to an endpoint and print its answer
  tuning analytics <tuning-job>
                      a tuning job's training jobs, best first (table, CSV, SVG plot)
  attach <job>        follow an existing training, tuning or transform job until it ends
  gateway             serve the local endpoints with the SageMaker Runtime API

Run "sagespec <command> --help" for a command's options; "sagespec --version" for the version.`

type Command = (args: ReadonlyArray<string>, io: Io) => Promise<number>

const COMMANDS: { readonly [name: string]: () => Promise<Command> } = {
  plan: async () => (await import('./plan.js')).planCommand,
  airflow: async () => (await import('./airflow.js')).airflowCommand,
  run: async () => (await import('./run.js')).runCommand,
  runs: async () => (await import('./runs.js')).runsCommand,
  endpoints: async () => (await import('./endpoints.js')).endpointsCommand,
  predict: async () => (await import('./predict.js')).predictCommand,
  tuning: async () => (await import('./tuning.js')).tuningCommand,
  attach: async () => (await import('./attach.js')).attachCommand,
  gateway: async () => (await import('./gateway.js')).gatewayCommand,
}


/** The package's version, from the package.json above this file (in src/, dist/src/ or the bundle). */
const version = (): string => {
  for (const up of ['../../package.json', '../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'sagespec' && pkg.version !== undefined) return pkg.version
    } catch {
      // not this one
    }
  }
  return 'unknown'
}

export const main = async (argv: ReadonlyArray<string>, io: Io = defaultIo): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP)
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(version())
    return 0
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined
  if (load === undefined) {
    const near = suggest(name, Object.keys(COMMANDS))
    io.err(`unknown command "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}\n\n${HELP}`)
    return 2
  }
  return (await load())(rest, io)
}
