/**
 * The package READMEs must not contradict the main one. Each fact a package README states that
 * the main README (or the package itself) also states is read from both and compared: peer
 * ranges (against package.json), the options it names (against the main options table), the
 * no-prefix value, and what its snippets say goes on the wire (against what routemeter sends).
 */
import { readFileSync } from 'node:fs'
import { createCaptureMeter } from '@routemeter/core/testing'
import routemeter from '@routemeter/fastify'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { mapName, parseMappings } from './statsd-exporter-glob.mjs'

const root = new URL('../../../', import.meta.url)
const read = (path) => readFileSync(new URL(path, root), 'utf8')
/** Backticks dropped and whitespace collapsed: facts span line breaks and code spans. */
const plain = (text) => text.replaceAll('`', '').replace(/\s+/g, ' ')

const MAIN = read('README.md')
const FRAMEWORKS = { fastify: 'fastify', express: 'express', koa: 'koa', hono: 'hono' }
/** A version phrase: `^4.18.2 || ^5.0.0`, `5.x`, `4.8+`, `2.13+ or 3`. */
const VERSIONS = '((?:[\\^\\d][\\w.+]*)(?: (?:\\|\\||or) [\\^\\d][\\w.+]*)*)'
const packageReadme = (name) => read(`packages/${name}/README.md`)
const packageJson = (name) => JSON.parse(read(`packages/${name}/package.json`))

/**
 * A peer range as the READMEs write it, as a semver range: `^4.18.2 || ^5.0.0` as is, `5.x` →
 * `^5.0.0`, `4.8+` → `^4.8.0`, `3` → `^3.0.0`, parts joined by `or`.
 */
function rangeOf(phrase) {
  const text = phrase.trim().replace(/\.$/, '')
  if (text.includes('^')) return text
  return text
    .split(' or ')
    .map((part) => {
      const match = /^(\d+)(?:\.(\d+)\+|\.x)?$/.exec(part.trim())
      if (match === null) throw new Error(`not a version phrase: "${part}" in "${phrase}"`)
      return `^${match[1]}.${match[2] ?? 0}.0`
    })
    .join(' || ')
}

/** The main README's options table: option name → its row's cells. */
function optionsTable() {
  const rows = new Map()
  const section = MAIN.slice(MAIN.indexOf('## Options'), MAIN.indexOf('## Metric names'))
  for (const line of section.split('\n')) {
    const match = /^\| `(\w+)`\s*\|/.exec(line)
    if (match === null) continue
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim())
    rows.set(match[1], { type: cells[2], default: cells[3], env: cells[4], what: cells[5] })
  }
  return rows
}

describe('peer ranges: package.json, the package README and the main README agree', () => {
  const mainSentence = plain(
    MAIN.slice(MAIN.indexOf('The framework is a peer dependency'), MAIN.indexOf('NestJS apps')),
  )

  it.each(Object.entries(FRAMEWORKS))('@routemeter/%s', (name, framework) => {
    const declared = packageJson(name).peerDependencies[framework]
    const text = plain(packageReadme(name))
    const own = new RegExp(`\\b${framework} ${VERSIONS}$`).exec(
      text.slice(0, text.indexOf(' is a peer dependency')),
    )
    expect(own, `${name}/README.md names its peer range`).not.toBeNull()
    expect(rangeOf(own[1]), `${name}/README.md`).toBe(declared)
    const main = new RegExp(`\\b${framework} ${VERSIONS}`).exec(mainSentence)
    expect(main, `README.md names the ${framework} range`).not.toBeNull()
    expect(rangeOf(main[1]), 'README.md').toBe(declared)
  })
})

describe('options a package README names are the main README’s', () => {
  const table = optionsTable()

  it('the main options table is read (a changed layout must not pass silently)', () => {
    expect(table.size).toBeGreaterThan(25)
    expect(table.get('flushIntervalMs')?.default).toBe('`1000`')
    expect(table.get('timerType')?.default).toBe('`ms`')
  })

  it.each(['fastify', 'express', 'koa', 'hono', 'core'])(
    '%s: every core option it names is in the table',
    (name) => {
      const text = packageReadme(name)
      const listed = /Every \[?core option\]?(?:\([^)]*\))? \(([^)]*)\)/.exec(text)
      if (name === 'koa' || name === 'hono' || name === 'core') {
        // These point at the main README's table without naming options.
        expect(listed).toBeNull()
        return
      }
      expect(listed).not.toBeNull()
      const names = [...listed[1].matchAll(/`(\w+)`/g)].map((m) => m[1])
      expect(names.length).toBeGreaterThan(3)
      for (const option of names) expect(table.has(option), `${name}: ${option}`).toBe(true)
    },
  )

  it('adapter-only options: every adapter README documents `meter` and `exclude`, as the main README does', () => {
    const adapterOnly = plain(MAIN.slice(MAIN.indexOf('Adapter-only options')))
    for (const option of ['meter', 'exclude']) {
      expect(adapterOnly.slice(0, 300)).toContain(option)
      for (const name of Object.keys(FRAMEWORKS))
        expect(packageReadme(name)).toContain(`\`${option}\``)
    }
  })

  it('the value a package README says turns the prefix off is one the main README says so too', () => {
    const mainNone = table.get('prefix').what.split('means none')[0]
    const claims = []
    for (const name of Object.keys(FRAMEWORKS)) {
      for (const match of packageReadme(name).matchAll(/`prefix`[^.]*?(`[^`]*`) means none/g)) {
        claims.push([name, match[1]])
      }
    }
    // Fastify's: its register types allow no `null`, so it says `''`.
    expect(claims).toContainEqual(['fastify', "`''`"])
    for (const [name, value] of claims) expect(mainNone, `${name} says ${value}`).toContain(value)
  })

  it('defaults a package README states are the table’s', () => {
    // "`option` … (default|defaults to) `value`" in any package README.
    let stated = 0
    for (const name of [...Object.keys(FRAMEWORKS), 'core']) {
      for (const match of packageReadme(name).matchAll(
        /`(\w+)`[^.`]*?[Dd]efault(?:s to)? `([^`]+)`/g,
      )) {
        const row = table.get(match[1])
        if (row === undefined) continue
        stated++
        expect(row.default, `${name}: ${match[1]}`).toContain(`\`${match[2]}\``)
      }
    }
    // Fastify's logger default: "Without a `logger` option … through `app.log`". The table's
    // default must say so for the plugin.
    expect(packageReadme('fastify')).toMatch(/Without a `logger` option[^.]*`app\.log`/)
    expect(table.get('logger').default).toContain('`app.log`')
    return stated
  })
})

describe('naming styles', () => {
  it('the core README names every style of the main options table, and the otel duration metric', () => {
    const styles = [
      ...optionsTable()
        .get('naming')
        .type.matchAll(/`(\w+)`/g),
    ].map((m) => m[1])
    expect(styles).toEqual(['tags', 'path', 'otel'])
    const core = packageReadme('core')
    expect(core).toMatch(/tags \(default\)/)
    expect(core).toMatch(/dotted paths/)
    expect(core).toContain("`naming: 'otel'`")
    expect(MAIN).toContain('`http.server.request.duration`')
    expect(core).toContain('`http.server.request.duration`')
  })
})

describe('what the package READMEs say goes on the wire', () => {
  it("Fastify: the snippet’s `request.metrics.timer('db.query')` is tagged as its comment says", async () => {
    const claim = /request\.metrics\.timer\('([\w.]+)'\)\s*\/\/ tagged (.+)\n/.exec(
      packageReadme('fastify'),
    )
    expect(claim).not.toBeNull()
    const expectedTags = Object.fromEntries(claim[2].split(', ').map((pair) => pair.split('=')))
    const route = expectedTags.route
    const capture = createCaptureMeter({ prefix: null })
    const app = Fastify()
    await app.register(routemeter, { meter: capture.meter })
    app.get(route, async (request) => {
      request.metrics.timer(claim[1])()
      return 'ok'
    })
    expect((await app.inject({ method: expectedTags.method, url: '/users/42' })).statusCode).toBe(
      200,
    )
    await app.close()
    const timed = capture.find(claim[1])
    expect(timed).toHaveLength(1)
    expect(timed[0].tags).toEqual(expectedTags)
  })

  it('Express: each "`template` is `route:…`" and its path-style form is what the meter sends', async () => {
    const text = plain(packageReadme('express'))
    const section = /Express 5 syntax is kept[^;]*;[^;]*/.exec(text)?.[0] ?? ''
    const tagged = [...section.matchAll(/(\/\S+) is route:(\S+?)[,;]? /g)].map((m) => [m[1], m[2]])
    const pathForms = /path style (\S+), (\S+?)\)/.exec(section)
    expect(tagged.length).toBeGreaterThanOrEqual(2)
    expect(pathForms).not.toBeNull()
    for (const [index, [template, wire]] of tagged.entries()) {
      for (const [naming, expected] of [
        ['tags', `route:${wire}`],
        ['path', `counters.${pathForms[index + 1]}.GET.200:1|c`],
      ]) {
        const capture = createCaptureMeter({ prefix: null, naming })
        capture.meter.route(template).record('GET', 200, 1)
        await capture.meter.flush()
        expect(capture.lines().join('\n'), `${template} in ${naming} naming`).toContain(expected)
        await capture.meter.close()
      }
    }
  })

  it('body sizes with statsd_exporter: the README’s mapping gives bytes back (scale 1000) and leaves durations in seconds', async () => {
    const section = MAIN.slice(MAIN.indexOf("With Prometheus' statsd_exporter, keep the default"))
    const block = /```yaml\n([\s\S]*?)```/.exec(section)
    expect(block).not.toBeNull()
    const mappings = parseMappings(block[1].replace(/^ {2}/gm, ''))
    expect(optionsTable().get('timerType').default).toBe('`ms`')
    // Sizes are counted from Node's request and response: a real server, a real request.
    const capture = createCaptureMeter({ prefix: null, bodySizes: true })
    const app = Fastify()
    await app.register(routemeter, { meter: capture.meter })
    app.post('/orders', async (request) => ({ got: request.body }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const answer = await fetch(`http://127.0.0.1:${app.server.address().port}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":1}',
    })
    expect(answer.status).toBe(200)
    await answer.text()
    await app.close()
    const names = new Set(capture.samples().map((s) => s.name))
    for (const name of ['http.server.request_bytes', 'http.server.response_bytes']) {
      expect(names).toContain(name)
      // The exporter divides `ms` values by 1000; `scale` multiplies them back.
      expect(mapName(mappings, name)?.scale, name).toBe('1000')
    }
    expect(names).toContain('http.server.duration')
    expect(mapName(mappings, 'http.server.duration')?.scale).toBeUndefined()
  })
})
