/** Every StatsD wire separator, and a space. */
export const SEPARATORS = ['\n', '\r', '|', ':', '#', ',', '@', '=', ';', ' ']

/** One of each separator and some unicode, in every position that matters. */
export const HOSTILE = [
  'orders\nsummary',
  'a\r\nb',
  'x:1|c\nevil:2|c',
  'x|c|@0.5|#evil:1',
  'tenant:acme#1',
  'k=v,evil=1',
  'graphite;tag=x',
  'at@home',
  'with space',
  'ünïcødé 漢字 😀',
  SEPARATORS.join(''),
]

/** 1 MB of separators and unicode. */
export const HUGE = `${SEPARATORS.join('')}é漢😀`
  .repeat(Math.ceil((1024 * 1024) / 16))
  .slice(0, 1024 * 1024)
