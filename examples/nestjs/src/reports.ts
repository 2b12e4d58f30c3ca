import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpStatus,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  UseFilters,
} from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'

/** A domain error, not an HttpException: left alone, Nest would answer it with a 500. */
export class ArchivedReportError extends Error {
  constructor(readonly year: number) {
    super(`the ${year} report is archived`)
  }
}

/** Answers ArchivedReportError with 410 Gone, through the adapter, so on either platform. */
@Catch(ArchivedReportError)
export class ArchivedReportFilter implements ExceptionFilter {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ArchivedReportError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse()
    this.adapterHost.httpAdapter.reply(response, { error: error.message }, HttpStatus.GONE)
  }
}

@Controller('reports')
@UseFilters(ArchivedReportFilter)
export class ReportsController {
  @Get(':year')
  find(@Param('year', ParseIntPipe) year: number): { year: number; sales: number } {
    if (year < 2020) throw new ArchivedReportError(year)
    return { year, sales: 42 }
  }

  // A bug: an error nothing handles, answered by Nest's default filter with a 500.
  @Post(':year/rebuild')
  rebuild(): never {
    throw new Error('report store unreachable')
  }
}
