/**
 * statsd_exporter's glob mapping rule, for checking a mapping without running the exporter: a
 * name and a pattern are split on `.`; they match when they have the same number of segments and
 * each pattern segment matches its name segment, where `*` stands for any run of characters
 * inside one segment (never a `.`). The first mapping that matches wins; `$1`, `$2`… in labels
 * are what the `*`s matched, in order.
 */
export function globMatch(pattern, name) {
  const patternSegments = pattern.split('.')
  const nameSegments = name.split('.')
  if (patternSegments.length !== nameSegments.length) return null
  const captures = []
  for (let index = 0; index < patternSegments.length; index++) {
    const source = patternSegments[index]
      .split('*')
      .map((piece) => piece.replace(/[\\^$+?()[\]{}|]/g, '\\$&'))
      .join('([^.]*)')
    const match = new RegExp(`^${source}$`).exec(nameSegments[index])
    if (match === null) return null
    captures.push(...match.slice(1))
  }
  return captures
}

/** The first mapping whose `match` matches the name, with its labels filled in; or undefined. */
export function mapName(mappings, name) {
  for (const mapping of mappings) {
    const captures = globMatch(mapping.match, name)
    if (captures === null) continue
    const labels = Object.fromEntries(
      Object.entries(mapping.labels ?? {}).map(([key, value]) => [
        key,
        value.replace(/\$(\d+)/g, (_, n) => captures[Number(n) - 1] ?? ''),
      ]),
    )
    return { ...mapping, labels }
  }
  return undefined
}

/**
 * The README's mapping block, read with the few YAML forms it uses: `- match:` starts a rule,
 * `key: "value"` and `labels: { k: "v", … }` fill it; other keys are kept as text.
 */
export function parseMappings(yaml) {
  const mappings = []
  for (const line of yaml.split('\n')) {
    const item = /^\s*-\s+match:\s*"([^"]*)"/.exec(line)
    if (item) {
      mappings.push({ match: item[1] })
      continue
    }
    const field = /^\s+(\w+):\s*(.*)$/.exec(line)
    if (!field || mappings.length === 0) continue
    const [, key, raw] = field
    const current = mappings[mappings.length - 1]
    if (key === 'labels') {
      current.labels = Object.fromEntries(
        [...raw.matchAll(/(\w+):\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]),
      )
    } else {
      current[key] = raw.replace(/^"(.*)"$/, '$1')
    }
  }
  return mappings
}
