/**
 * The SageMaker training container contract, as files: per host an `/opt/ml` folder with
 * `input/config/{hyperparameters,inputdataconfig,resourceconfig}.json`, `input/data/<channel>/`,
 * `model/`, `output/data/`, `output/failure` (written by the job), `checkpoints/` and `code/`. The
 * JSON files hold what SageMaker writes into them; a runtime only has to show the folder at /opt/ml.
 *
 * @since 0.2.0
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Channel } from '@aws-sdk/client-sagemaker'

/** `algo-1` … `algo-N`. */
export const hostNames = (count: number): ReadonlyArray<string> => Array.from({ length: Math.max(1, count) }, (_, i) => `algo-${i + 1}`)

export const GROUP = 'homogeneousCluster'

/** `resourceconfig.json` of one host. */
export const resourceConfig = (host: string, hosts: ReadonlyArray<string>, instanceType: string) => ({
  current_host: host,
  current_instance_type: instanceType,
  current_group_name: GROUP,
  hosts: [...hosts],
  instance_groups: [{ instance_group_name: GROUP, instance_type: instanceType, hosts: [...hosts] }],
  network_interface_name: 'eth0',
})

/**
 * A `file://` channel: the plan writes `DataSource.FileDataSource` (the reference SDK's local-mode
 * shape), which the cloud's service model does not know.
 */
export const fileSource = (c: Channel): { readonly FileUri?: string; readonly FileDataDistributionType?: string } | undefined =>
  (c.DataSource as { FileDataSource?: { FileUri?: string; FileDataDistributionType?: string } } | undefined)?.FileDataSource

/** `inputdataconfig.json`: per channel what the algorithm needs to read it. */
export const inputDataConfig = (channels: ReadonlyArray<Channel>, jobInputMode: string): Record<string, Record<string, string>> =>
  Object.fromEntries(
    channels.map((c) => [
      c.ChannelName!,
      {
        ...(c.ContentType === undefined ? {} : { ContentType: c.ContentType }),
        TrainingInputMode: c.InputMode ?? jobInputMode,
        S3DistributionType: c.DataSource?.S3DataSource?.S3DataDistributionType ?? fileSource(c)?.FileDataDistributionType ?? 'FullyReplicated',
        RecordWrapperType: c.RecordWrapperType ?? 'None',
        ...(c.CompressionType === undefined || c.CompressionType === 'None' ? {} : { CompressionType: c.CompressionType }),
      },
    ]),
  )

/** The folders of one host's `/opt/ml`, relative to it. */
export const OPT_ML_DIRS = ['input/config', 'input/data', 'model', 'output/data', 'checkpoints', 'code'] as const

export interface HostFiles {
  readonly hyperParameters: Readonly<Record<string, string>>
  readonly inputDataConfig: Readonly<Record<string, unknown>>
  readonly resourceConfig: Readonly<Record<string, unknown>>
  readonly channels: ReadonlyArray<string>
}

/** Make one host's `/opt/ml` (at `optMl`) and write its config files. */
export const writeOptMl = (optMl: string, files: HostFiles): void => {
  for (const d of OPT_ML_DIRS) mkdirSync(join(optMl, d), { recursive: true })
  for (const c of files.channels) mkdirSync(join(optMl, 'input/data', c), { recursive: true })
  const config = join(optMl, 'input/config')
  writeFileSync(join(config, 'hyperparameters.json'), JSON.stringify(files.hyperParameters))
  writeFileSync(join(config, 'inputdataconfig.json'), JSON.stringify(files.inputDataConfig))
  writeFileSync(join(config, 'resourceconfig.json'), JSON.stringify(files.resourceConfig))
}
