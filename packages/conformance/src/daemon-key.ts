/**
 * The key the Etsy statsd daemon (npm `statsd` 0.9) files a line under, as its `stats.js` derives
 * it: DogStatsD tags after `|#` are folded into the name as `;k=v` (first `;` of a tag → `_`,
 * first `:` → `=`), then whitespace becomes `_`, `/` becomes `-` and anything outside
 * `[A-Za-z0-9_.;=-]` is removed. Tests use it to state which keys the daemon may hold.
 */
export function statsdDaemonKey(line: string): string {
  const [main = '', tagText] = line.split('|#')
  let key = main.split(':')[0] ?? ''
  if (tagText !== undefined && tagText.length > 0) {
    key += `;${tagText
      .split(',')
      .map((tag) => tag.replace(';', '_').replace(':', '='))
      .join(';')}`
  }
  return key
    .replace(/\s+/g, '_')
    .replace(/\//g, '-')
    .replace(/[^a-zA-Z_\-0-9.;=]/g, '')
}
