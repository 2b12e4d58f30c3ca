import { Readable } from 'node:stream'
import {
  type ArgumentsHost,
  type CallHandler,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  HttpStatus,
  Inject,
  Injectable,
  type MessageEvent,
  type NestInterceptor,
  Param,
  ParseIntPipe,
  Post,
  RequestTimeoutException,
  Sse,
  StreamableFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'
import {
  catchError,
  interval,
  map,
  NEVER,
  type Observable,
  startWith,
  TimeoutError,
  throwError,
  timeout,
  timer,
} from 'rxjs'

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

/** The usual Nest request timeout: an interceptor that answers 408 when the handler is late. */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(50),
      catchError((error: unknown) =>
        throwError(() => (error instanceof TimeoutError ? new RequestTimeoutException() : error)),
      ),
    )
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

  // An Observable, as Nest handlers may return.
  @Get(':year/summary')
  summary(@Param('year', ParseIntPipe) year: number): Observable<{ year: number; total: number }> {
    return timer(5).pipe(map(() => ({ year, total: 42 })))
  }

  // Streamed: Nest pipes the stream into the response on either platform.
  @Get(':year/export')
  export(@Param('year', ParseIntPipe) year: number): StreamableFile {
    const rows = Readable.from(['month,sales\n', ...[1, 2, 3].map((m) => `${year}-${m},14\n`)])
    return new StreamableFile(rows, { type: 'text/csv' })
  }

  // The forecast service never answers; the interceptor gives up with a 408.
  @Get(':year/forecast')
  @UseInterceptors(TimeoutInterceptor)
  forecast(): Observable<never> {
    return NEVER
  }

  // Server-sent events: the stream ends only when the client leaves.
  @Sse(':year/live')
  live(@Param('year', ParseIntPipe) year: number): Observable<MessageEvent> {
    return interval(1_000).pipe(
      startWith(-1),
      map((tick) => ({ data: { year, sales: 42 + tick + 1 } })),
    )
  }

  // A bug: an error nothing handles, answered by Nest's default filter with a 500.
  @Post(':year/rebuild')
  rebuild(): never {
    throw new Error('report store unreachable')
  }
}
