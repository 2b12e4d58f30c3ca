import { Buffer } from 'node:buffer'
import { errorText, type FaultLog } from '../config/fault-log'
import type { LabelFunction, RequestLabels } from '../config/option-types'
import { MAX_TAG_VALUE_LENGTH } from '../config/sanitize'

/** Recorded when a label function returns `undefined` or `''`: every series keeps the label's tag. */
export const LABEL_NONE = '_none'
/** Recorded when a label function throws or returns something other than a string. */
export const LABEL_ERROR = '_error'
/** Recorded for values beyond `maxLabelValues`, and for every label in the overflow bucket. */
export const LABEL_OTHER = '_other'

/** Reads the label values of one finished request, one label at a time; built from `labels`. */
export interface LabelReader {
  /** The label names, in the order {@link value} takes them. */
  readonly names: readonly string[]
  /**
   * The value label `index` records for `request` (the framework's request object): the same
   * string object for the same value, `_other` beyond the cap, `_none` / `_error` as documented.
   */
  value(index: number, request: unknown): string
  /** Values recorded as `_other` because their label was at its cap. */
  readonly overflowed: number
}

/**
 * The `labels` option at run time. Each label keeps the distinct values it has seen, up to
 * `maxLabelValues` (values cut to the longest tag value first, so memory is bounded too); a
 * function that throws or returns no string never reaches the request.
 */
export class RequestLabelReader implements LabelReader {
  readonly names: readonly string[]
  overflowed = 0
  private readonly functions: readonly LabelFunction[]
  /** Per label, each value seen → the copy that is kept (and returned, so one object per value). */
  private readonly seen: ReadonlyArray<Map<string, string>>

  constructor(
    labels: RequestLabels,
    private readonly maxValues: number,
    private readonly faults: FaultLog,
  ) {
    this.names = Object.keys(labels)
    this.functions = this.names.map((name) => labels[name] as LabelFunction)
    this.seen = this.names.map(() => new Map<string, string>())
  }

  value(index: number, request: unknown): string {
    let raw: unknown
    try {
      raw = (this.functions[index] as LabelFunction)(request)
    } catch (error) {
      this.fault(index, `threw: ${errorText(error)}`)
      return LABEL_ERROR
    }
    if (typeof raw !== 'string') {
      if (raw === undefined) return LABEL_NONE
      return this.notAString(index, raw)
    }
    if (raw === '') return LABEL_NONE
    const value = raw.length > MAX_TAG_VALUE_LENGTH ? raw.slice(0, MAX_TAG_VALUE_LENGTH) : raw
    const seen = this.seen[index] as Map<string, string>
    const known = seen.get(value)
    if (known !== undefined) return known
    if (seen.size >= this.maxValues) {
      this.overflowed++
      this.faults.report(
        'label-cap',
        `label "${this.names[index]}" has ${this.maxValues} distinct values (maxLabelValues); further values are recorded as ${LABEL_OTHER}`,
      )
      return LABEL_OTHER
    }
    const kept = detachedCopy(value)
    seen.set(kept, kept)
    return kept
  }

  private notAString(index: number, raw: unknown): string {
    const thenable = raw as { then?: unknown } | null
    if (typeof thenable === 'object' && thenable !== null && typeof thenable.then === 'function') {
      // Never awaited; a rejection must not become the app's unhandled rejection.
      ;(raw as PromiseLike<unknown>).then(undefined, ignore)
      this.fault(index, 'returned a Promise; label functions must return a string synchronously')
    } else {
      this.fault(index, `returned ${raw === null ? 'null' : typeof raw}, not a string`)
    }
    return LABEL_ERROR
  }

  private fault(index: number, what: string): void {
    this.faults.report(
      'label',
      `label "${this.names[index]}" ${what}; recorded as ${LABEL_ERROR}, the request is unaffected`,
    )
  }
}

function ignore(): void {}

/**
 * A copy of `value` sharing no memory with the string it was cut from. V8 keeps a slice (ours,
 * or a substring the label function returned) as a view into its parent: a 200-character cut
 * of a 1 MB header kept the whole megabyte alive for as long as the value stayed known. Made
 * once per distinct value; UTF-16 round-trips every code unit, lone surrogates included.
 */
function detachedCopy(value: string): string {
  return Buffer.from(value, 'utf16le').toString('utf16le')
}
