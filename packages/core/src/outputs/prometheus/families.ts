import type { PrometheusRegistry } from '../../config/prometheus-options'
import { FamilyMetric } from './collector'
import type { Family, PrometheusStore } from './store'

/**
 * Registers each family of `store` in `registry` as it appears, so a scrape reads them all. A
 * name the registry already holds (a metric of yours, or a second meter's family in a shared
 * registry) stays the registry's; `refuse` hears of it once per family.
 */
export function registerFamilies(
  store: PrometheusStore,
  registry: PrometheusRegistry,
  refuse: (reason: string) => void,
): void {
  const register = (family: Family): void => {
    try {
      registry.registerMetric(new FamilyMetric(family) as never)
    } catch (error) {
      refuse(
        `"${family.def.name}" is already registered in the Prometheus registry (${String((error as Error).message)}); routemeter's series of that name are not exposed — give each meter its own registry, or rename your metric`,
      )
    }
  }
  for (const family of store.families.values()) register(family)
  store.onFamily = register
}
