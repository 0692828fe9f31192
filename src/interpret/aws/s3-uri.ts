/**
 * `s3://bucket/key` URIs, parsed once for every AWS module.
 *
 * @since 0.2.0
 */

export interface S3Location {
  readonly bucket: string
  /** Without a leading slash; may be empty (the bucket's root). */
  readonly key: string
}

// Bucket names: 3–63 lowercase letters, digits, dots and hyphens.
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/

/** The bucket and key of an `s3://` URI, or undefined when it is not one. */
export const parseS3Uri = (uri: string): S3Location | undefined => {
  const m = S3_URI.exec(uri)
  return m === null ? undefined : { bucket: m[1]!, key: m[2] ?? '' }
}

/** `prefix/part/part`, without doubled or trailing slashes. */
export const joinKey = (...parts: ReadonlyArray<string>): string =>
  parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/')
