/** Receives finished payloads: newline-joined lines, never over the configured size. */
export type PayloadSender = (payload: string, lineCount: number) => void

/**
 * Packs lines into datagrams of at most `maxBytes`, joined by `\n`. Lines are ASCII (see
 * sanitize.ts), so string length is byte length. A single line longer than a datagram
 * cannot be sent whole and is reported instead of cut into a corrupt metric.
 */
export class DatagramPacker {
  private payload = ''
  private lines = 0

  constructor(
    private readonly maxBytes: number,
    private readonly send: PayloadSender,
    private readonly onOversizeLine: (line: string) => void,
    /**
     * False when nothing is pushed over StatsD (Prometheus only): series then skip writing their
     * lines at all, and only feed their mirrors.
     */
    readonly emits = true,
  ) {}

  get maxLineBytes(): number {
    return this.maxBytes
  }

  line(text: string): void {
    if (text.length > this.maxBytes) {
      this.onOversizeLine(text)
      return
    }
    if (this.lines === 0) {
      this.payload = text
    } else if (this.payload.length + 1 + text.length > this.maxBytes) {
      this.send(this.payload, this.lines)
      this.payload = text
      this.lines = 0
    } else {
      this.payload += `\n${text}`
    }
    this.lines++
  }

  /** Sends what is pending. */
  end(): void {
    if (this.lines === 0) return
    const payload = this.payload
    const lines = this.lines
    this.payload = ''
    this.lines = 0
    this.send(payload, lines)
  }
}
