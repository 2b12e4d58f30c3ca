/**
 * Methods outside the standard set are recorded as `_OTHER` (the OpenTelemetry rule), so a
 * client sending `FOO /` cannot mint new series.
 */
export const OTHER_METHOD = '_OTHER'

export const STANDARD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const

const METHOD_INDEX = new Map<string, number>(
  STANDARD_METHODS.map((method, index) => [method, index]),
)
/** Index of `_OTHER`; indices fit in 4 bits so a series key is `status * 16 + method`. */
export const OTHER_METHOD_INDEX = STANDARD_METHODS.length

/** Index of a request method in {@link methodName}; unknown methods map to `_OTHER`. */
export function methodIndex(method: string): number {
  return METHOD_INDEX.get(method) ?? METHOD_INDEX.get(method.toUpperCase()) ?? OTHER_METHOD_INDEX
}

export function methodName(index: number): string {
  return STANDARD_METHODS[index] ?? OTHER_METHOD
}
