import {
  Body,
  ConflictException,
  Controller,
  Get,
  Injectable,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common'
import type { ExecutionTimers } from '@routemeter/core'
import { Metrics } from './metrics'

export interface User {
  readonly id: number
  readonly name: string
}

@Injectable()
export class UsersService {
  private readonly users = new Map<number, User>([
    [1, { id: 1, name: 'ada' }],
    [2, { id: 2, name: 'grace' }],
  ])

  find(id: number): User | undefined {
    return this.users.get(id)
  }

  create(name: string): User | undefined {
    for (const user of this.users.values()) if (user.name === name) return undefined
    const user = { id: this.users.size + 1, name }
    this.users.set(user.id, user)
    return user
  }
}

/** Version 1 of the users API: `/api/v1/users…` once the app has its prefix and URI versioning. */
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  // ParseIntPipe answers 400 for a non-numeric id before the handler runs.
  @Get(':id')
  findOne(@Param('id', ParseIntPipe) id: number, @Metrics() metrics: ExecutionTimers): User {
    const user = metrics.time('db.query', () => this.users.find(id))
    if (user === undefined) throw new NotFoundException(`no user ${id}`)
    return user
  }

  @Post()
  create(@Body() body: { name?: unknown }): User {
    const user = this.users.create(String(body?.name))
    if (user === undefined) throw new ConflictException('name taken')
    return user
  }
}
