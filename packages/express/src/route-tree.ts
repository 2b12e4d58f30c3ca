import type { Meter } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'
import type { LayerInfo } from './layer-hooks'
import { joinTemplate, routeTemplate } from './template'

/**
 * One place a request can be in the app: inside a router (or a mounted function) reached
 * through a given chain of mounts. Its template is the concatenated mount paths of that chain,
 * so labels never depend on the matched text (`req.baseUrl`). Nodes and their route handles are
 * built the first time a chain is taken and looked up afterwards: the app's shape bounds them,
 * not the traffic.
 *
 * A node's parent is where the request returns when it leaves the router through `next()`.
 */
export class RouteNode {
  private readonly children = new Map<object, RouteNode>()
  private readonly routes = new Map<object, RouteMetrics>()
  private handlerMetrics: RouteMetrics | undefined

  constructor(
    private readonly meter: Meter,
    readonly parent: RouteNode | undefined,
    /** The router whose layers run inside this node, or the mounted function. */
    readonly inner: object,
    readonly template: string,
  ) {}

  /**
   * The node whose router owns a layer being entered: this node, or the ancestor the request
   * returned to after leaving inner routers through `next()`. A router that was not entered
   * through a mount (a handler calling `router(req, res, next)` itself) is placed under this node.
   */
  owning(owner: object): RouteNode {
    let node: RouteNode = this
    while (node.inner !== owner) {
      const parent = node.parent
      if (parent === undefined) return this.child(owner, '')
      node = parent
    }
    return node
  }

  /** The node entered through a mount layer. */
  mounted(info: LayerInfo): RouteNode {
    return this.children.get(info) ?? this.addChild(info, info.inner, info.template)
  }

  /** The node for a router placed here without a mount layer (a sub-app, a router called by hand). */
  child(router: object, template: string): RouteNode {
    return this.children.get(router) ?? this.addChild(router, router, template)
  }

  /** The metrics handle of a route layer reached through this node. */
  route(info: LayerInfo): RouteMetrics {
    let route = this.routes.get(info)
    if (route === undefined) {
      route = this.meter.route(routeTemplate(this.template, info.template))
      this.routes.set(info, route)
    }
    return route
  }

  /** The metrics handle of this node as a label: a function mounted at a path answered the request. */
  get asRoute(): RouteMetrics {
    this.handlerMetrics ??= this.meter.route(routeTemplate(this.template, ''))
    return this.handlerMetrics
  }

  private addChild(key: object, inner: object, template: string): RouteNode {
    const node = new RouteNode(this.meter, this, inner, joinTemplate(this.template, template))
    this.children.set(key, node)
    return node
  }
}
