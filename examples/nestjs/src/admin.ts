import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common'

export const API_KEY = 'secret-key'

/**
 * No `x-api-key` header: 401 (the guard throws). A wrong key: 403 (the guard says no and Nest
 * throws its ForbiddenException).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const key = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      'x-api-key'
    ]
    if (key === undefined) throw new UnauthorizedException('x-api-key missing')
    return key === API_KEY
  }
}

@Controller('admin')
@UseGuards(ApiKeyGuard)
export class AdminController {
  @Get('stats')
  stats(): { users: number } {
    return { users: 2 }
  }
}
