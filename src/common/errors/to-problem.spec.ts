import { NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { HttpException, NotFoundException } from '@nestjs/common';
import { DomainError } from './domain.error';
import { toProblem } from './to-problem';

describe(toProblem.name, () => {
  it('maps a domain error by its kind and keeps its code, field errors and Retry-After', () => {
    const sut = toProblem(
      new DomainError('AUTH.TOO_MANY_ATTEMPTS', 'rate_limited', 'slow down', { retryAfterSeconds: 12.2 }),
    );
    expect(sut.problem).toMatchObject({
      status: 429,
      code: 'AUTH.TOO_MANY_ATTEMPTS',
      detail: 'slow down',
      type: '/errors#auth.too_many_attempts',
    });
    expect(sut.headers).toEqual({ 'retry-after': '13' });
    expect(sut.unexpected).toBeUndefined();
  });

  it('answers an internal domain error with its code but a generic detail, and flags it for the log; gone is 410', () => {
    const error = new DomainError('CRYPTO.KEY_UNAVAILABLE', 'internal', 'Key-encryption key k7 is not configured');
    const sut = toProblem(error);
    expect(sut.problem).toMatchObject({ status: 500, code: 'CRYPTO.KEY_UNAVAILABLE' });
    expect(JSON.stringify(sut.problem)).not.toContain('k7');
    expect(sut.unexpected).toBe(error);
    expect(toProblem(new DomainError('CRYPTO.DATA_SHREDDED', 'gone', 'shredded')).problem).toMatchObject({
      status: 410,
      title: 'Gone',
    });
  });

  it('maps Nest HTTP exceptions', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({
      status: 404,
      code: 'ROUTE.NOT_FOUND',
    });
  });

  it('maps ORM not-found and unique violations without leaking SQL', () => {
    expect(toProblem(new NotFoundError('ApiClient not found ({ id: 1 })')).problem).toMatchObject({
      status: 404,
      detail: 'The resource does not exist',
    });
    const unique = toProblem(
      new UniqueConstraintViolationException(
        Object.assign(new Error('insert into "x" ... duplicate key'), { code: '23505' }),
      ),
    );
    expect(unique.problem).toMatchObject({ status: 409, code: 'RESOURCE.CONFLICT' });
    expect(JSON.stringify(unique.problem)).not.toMatch(/insert into/);
  });

  it('maps a lost database to 503 retryable with Retry-After, and flags it for the log', () => {
    const sut = toProblem(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(sut.problem).toMatchObject({ status: 503, code: 'DATABASE.UNAVAILABLE', retryable: true });
    expect(sut.headers['retry-after']).toBe('1');
    expect(sut.unexpected).toBeDefined();
    expect(JSON.stringify(sut.problem)).not.toContain('5432');
  });

  it('treats any FATAL PostgreSQL error (the session could not start) as unavailable, but not an ordinary SQL error', () => {
    const notAccepting = Object.assign(new Error('database "x" is not currently accepting connections'), {
      code: '55000',
      severity: 'FATAL',
    });
    expect(toProblem(notAccepting).problem.code).toBe('DATABASE.UNAVAILABLE');
    const ordinary = Object.assign(new Error('lock not available'), { code: '55P03', severity: 'ERROR' });
    expect(toProblem(ordinary).problem.code).toBe('INTERNAL');
  });

  it('maps Fastify body errors (handed over by Nest as HttpException with the Fastify error as cause) by their code', () => {
    const wrapped = (code: string, status: number) =>
      new HttpException('fastify says', status, { cause: Object.assign(new Error('x'), { code, statusCode: status }) });
    expect(toProblem(wrapped('FST_ERR_CTP_BODY_TOO_LARGE', 413)).problem).toMatchObject({
      status: 413,
      code: 'REQUEST.TOO_LARGE',
    });
    expect(toProblem(wrapped('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).problem).toMatchObject({
      status: 415,
      code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    });
    expect(toProblem(wrapped('FST_ERR_CTP_INVALID_JSON_BODY', 400)).problem).toMatchObject({
      status: 400,
      code: 'REQUEST.MALFORMED_JSON',
      detail: 'The body is not valid JSON',
    });
  });

  it('turns anything else into a bare 500 whose message stays out of the answer', () => {
    const sut = toProblem(new TypeError('secret detail at line 3'));
    expect(sut.problem).toEqual({
      type: '/errors#internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL',
    });
    expect(sut.unexpected).toBeInstanceOf(TypeError);
  });
});
