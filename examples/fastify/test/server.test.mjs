import { describeShopProcess } from '@routemeter/example-shared/shop-process-suite'

describeShopProcess('Fastify')
