import { describePrometheusProcess } from '@routemeter/example-shared/prometheus-process-suite'

describePrometheusProcess('Fastify')
