import { RoutemeterOptionError } from './errors'

type Env = Readonly<Record<string, string | undefined>>

/**
 * Where the Datadog agent listens, from the variables a Datadog deployment (the Kubernetes
 * manifest, the Helm chart's admission controller) gives the service. Each field is the
 * lowest-precedence fallback of its option: an option or `STATSD_*` variable wins.
 */
export interface DatadogTransport {
  protocol?: 'udp' | 'uds'
  host?: string
  port?: number
  path?: string
}

/** Unified service tagging: each variable becomes this global tag, as hot-shots maps them. */
const SERVICE_TAG_VARIABLES = [
  ['DD_ENV', 'env'],
  ['DD_SERVICE', 'service'],
  ['DD_VERSION', 'version'],
  // Client-side origin detection: the agent tags the metrics with the pod's tags.
  ['DD_ENTITY_ID', 'dd.internal.entity_id'],
] as const

function read(env: Env, name: string): string | undefined {
  const text = env[name]?.trim()
  return text === undefined || text === '' ? undefined : text
}

/**
 * The agent's address. `DD_DOGSTATSD_URL` (`udp://host[:port]`, `unix:///path`,
 * `unixgram:///path`) names the whole transport, so — as in hot-shots — it applies only when no
 * transport option or `STATSD_*` transport variable is set (`transportGiven`), and a URL without
 * a port means 8125, not `DD_DOGSTATSD_PORT`. Otherwise `DD_AGENT_HOST` and `DD_DOGSTATSD_PORT`
 * stand in for the host and port. Unlike hot-shots, which logs a bad value and sends to
 * 127.0.0.1:8125 (over UDP: every metric silently lost), a bad value stops start-up.
 */
export function readDatadogTransport(env: Env, transportGiven: boolean): DatadogTransport {
  const url = read(env, 'DD_DOGSTATSD_URL')
  const fromUrl = url === undefined ? undefined : parseDogstatsdUrl(url)
  if (fromUrl !== undefined && !transportGiven) return fromUrl
  const transport: DatadogTransport = {}
  const host = read(env, 'DD_AGENT_HOST')
  if (host !== undefined) transport.host = host
  const port = read(env, 'DD_DOGSTATSD_PORT')
  if (port !== undefined) transport.port = parsePort(port, 'DD_DOGSTATSD_PORT', port)
  return transport
}

const URL_ALLOWED =
  'udp://host, udp://host:port, udp://[ipv6]:port, unix:///path/to/socket or unixgram:///path/to/socket'

function parseDogstatsdUrl(url: string): DatadogTransport {
  const invalid = (why: string) =>
    new RoutemeterOptionError('DD_DOGSTATSD_URL', url, `${URL_ALLOWED} (${why})`, 'the environment')
  for (const scheme of ['unixgram://', 'unix://']) {
    if (!url.startsWith(scheme)) continue
    const path = url.slice(scheme.length)
    if (path === '') throw invalid('no socket path')
    return { protocol: 'uds', path }
  }
  if (!url.startsWith('udp://')) throw invalid('routemeter speaks UDP and Unix datagrams to it')
  const rest = url.slice('udp://'.length)
  // `[v6]:port`, `host:port`, or a host alone (a bare IPv6 address has more than one colon).
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest)
  let host = rest
  let port: string | undefined
  if (bracketed) {
    host = bracketed[1] as string
    port = bracketed[2]
  } else if (rest.indexOf(':') !== -1 && rest.indexOf(':') === rest.lastIndexOf(':')) {
    host = rest.slice(0, rest.indexOf(':'))
    port = rest.slice(rest.indexOf(':') + 1)
  }
  if (host === '' || host.includes('/')) throw invalid('no host')
  return {
    protocol: 'udp',
    host,
    port: port === undefined ? 8125 : parsePort(port, 'DD_DOGSTATSD_URL', url),
  }
}

function parsePort(text: string, variable: string, value: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!(port >= 1 && port <= 65535)) {
    throw new RoutemeterOptionError(
      variable,
      value,
      variable === 'DD_DOGSTATSD_URL'
        ? `${URL_ALLOWED} (port an integer from 1 to 65535)`
        : 'an integer from 1 to 65535',
      'the environment',
    )
  }
  return port
}

/** Global tags from the Datadog variables, and which variable each came from. */
export interface DatadogTags {
  tags: Record<string, string>
  sources: Record<string, string>
}

/**
 * `DD_TAGS` in Datadog's format — `key:value` pairs separated by commas, or by spaces when there
 * is no comma — then `DD_ENV`, `DD_SERVICE`, `DD_VERSION` and `DD_ENTITY_ID`, which win over a
 * `DD_TAGS` entry with the same key (as in hot-shots and the agent). A bare `key` (valid for
 * Datadog) is refused: routemeter's global tags are key/value pairs on every wire format.
 */
export function readDatadogTags(env: Env): DatadogTags {
  const tags: Record<string, string> = {}
  const sources: Record<string, string> = {}
  const list = read(env, 'DD_TAGS')
  if (list !== undefined) {
    for (const entry of list.split(list.includes(',') ? ',' : /\s+/)) {
      const pair = entry.trim()
      if (pair === '') continue
      const at = pair.indexOf(':')
      if (at <= 0) {
        throw new RoutemeterOptionError(
          'DD_TAGS',
          list,
          `key:value pairs separated by commas or spaces, such as "team:checkout,tier:web" ("${pair}" has no key:value)`,
          'the environment',
        )
      }
      const key = pair.slice(0, at).trim()
      tags[key] = pair.slice(at + 1).trim()
      sources[key] = 'DD_TAGS'
    }
  }
  for (const [variable, key] of SERVICE_TAG_VARIABLES) {
    const value = read(env, variable)
    if (value === undefined) continue
    tags[key] = value
    sources[key] = variable
  }
  return { tags, sources }
}
