/**
 * `sagespec airflow` — placeholder until the exporter lands; says so plainly.
 */
import type { Io } from './compile.js'

export const airflowCommand = async (_args: ReadonlyArray<string>, io: Io): Promise<number> => {
  io.err('sagespec airflow: the Airflow exporter is not built yet')
  return 2
}
