/**
 * Splits a byte stream into lines, holding at most `maxLineBytes` of an unfinished line: a
 * sender that never sends a newline cannot grow the reader's memory.
 */
export class LineReader {
  private partial = ''

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversize: () => void,
  ) {}

  push(chunk: string): void {
    let text = this.partial + chunk
    let newline = text.indexOf('\n')
    while (newline !== -1) {
      this.onLine(text.slice(0, newline))
      text = text.slice(newline + 1)
      newline = text.indexOf('\n')
    }
    if (text.length > this.maxLineBytes) {
      this.onOversize()
      text = ''
    }
    this.partial = text
  }
}
