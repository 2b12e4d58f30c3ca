import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { LayerLike } from '../src/express-internals'
import { mountTemplateOf, UNKNOWN_MOUNT } from '../src/layer-path'

// Express 4 compiles mount paths with its own path-to-regexp 0.1; load the very copies of the
// newest Express 4 and of Express 4.18 (path-to-regexp 0.1.7, which writes arrays differently).
type PathToRegexp = (
  path: string | RegExp | Array<string | RegExp>,
  keys: Array<{ name: string | number }>,
  options: { end: boolean; strict: boolean; sensitive?: boolean },
) => RegExp

function pathToRegexpOf(expressPackage: string): PathToRegexp {
  const requireFromExpress = createRequire(createRequire(import.meta.url).resolve(expressPackage))
  return requireFromExpress('path-to-regexp') as PathToRegexp
}

const EXPRESS4 = [
  { release: 'Express 4 (newest)', pathToRegexp: pathToRegexpOf('express4') },
  { release: 'Express 4.18', pathToRegexp: pathToRegexpOf('express4-18') },
]

describe.each(EXPRESS4)(
  '$release: mount paths are read back from their compiled RegExp',
  ({ pathToRegexp }) => {
    /** A `use()` layer as Express 4 builds it. */
    function express4Layer(path: string | RegExp | Array<string | RegExp>): LayerLike {
      const keys: Array<{ name: string | number }> = []
      const regexp = pathToRegexp(path, keys, { end: false, strict: false })
      return { handle: () => {}, regexp, keys }
    }

    it.each([
      ['/api', '/api'],
      ['/api/', '/api'],
      ['/API/v1', '/API/v1'],
      ['/:tenant', '/:tenant'],
      ['/tenants/:tenant/orders', '/tenants/:tenant/orders'],
      ['/users/:id(\\d+)', '/users/:id(\\d+)'],
      ['/u/:id?', '/u/:id?'],
      ['/files/*', '/files/*'],
      ['/export.:format', '/export.:format'],
      ['/:from-:to', '/:from-:to'],
      ['/f/:path*', '/f/:path*'],
    ])('%s → %s', (path, template) => {
      expect(mountTemplateOf(express4Layer(path))).toBe(template)
    })

    it('arrays become their paths joined with commas, like Express 5', () => {
      expect(mountTemplateOf(express4Layer(['/shop', '/store/:region/']))).toBe(
        '/shop,/store/:region',
      )
    })

    it('what is not a compiled path is written as the RegExp literal: app RegExps, raw groups', () => {
      expect(mountTemplateOf(express4Layer(/^\/v\d+/))).toBe('/^\\/v\\d+/')
      const group = express4Layer('/user(s)?')
      expect(mountTemplateOf(group)).toBe(String(group.regexp))
    })

    it('/ adds nothing', () => {
      const root = express4Layer('/')
      Object.assign(root.regexp as RegExp, { fast_slash: true })
      expect(mountTemplateOf(root)).toBe('')
    })
  },
)

describe('Express 5 router: the registered path', () => {
  it('router ≥ 2.3 keeps it as rawPath', () => {
    expect(mountTemplateOf({ handle: () => {}, rawPath: '/docs{/:lang}/' })).toBe('/docs{/:lang}')
    expect(mountTemplateOf({ handle: () => {}, rawPath: ['/a/', /^\/b/i] })).toBe('/a,/^\\/b/i')
  })

  it('router 2.0–2.2 keeps it in layer.path until the first match; a matched layer is never read', () => {
    expect(mountTemplateOf({ handle: () => {}, path: '/t/:tenant', params: undefined })).toBe(
      '/t/:tenant',
    )
    expect(mountTemplateOf({ handle: () => {}, path: '/', slash: true })).toBe('')
    expect(mountTemplateOf({ handle: () => {}, path: '/t/acme', params: { tenant: 'acme' } })).toBe(
      UNKNOWN_MOUNT,
    )
  })
})
