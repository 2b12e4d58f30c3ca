import { Controller, Get } from '@nestjs/common'

/** Outside the `api` prefix and not measured (`exclude: ['/health']`). */
@Controller('health')
export class HealthController {
  @Get()
  check(): { status: string } {
    return { status: 'ok' }
  }
}
