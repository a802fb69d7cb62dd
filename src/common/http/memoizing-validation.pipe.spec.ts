import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, ValidateBy } from 'class-validator';
import { RequestValidationError } from '../errors/domain.error';
import { PureQueryValidation } from './memoizing-validation.pipe';
import { createValidationPipe } from './validation';

let checks = 0;
/** A rule that counts how often class-validator runs it. */
const Counted = () =>
  ValidateBy({
    name: 'counted',
    validator: {
      validate: (value: unknown) => (checks++, value !== 'bad'),
      defaultMessage: () => 'name must not be bad',
    },
  });

@PureQueryValidation()
class PureQuery {
  @IsOptional()
  @IsString()
  @Counted()
  name?: string;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;
}

class PlainQuery {
  @IsOptional()
  @IsString()
  @Counted()
  name?: string;
}

class DerivedQuery extends PureQuery {}

describe('MemoizingValidationPipe', () => {
  const pipe = createValidationPipe();
  const query = (metatype: new () => object, value: Record<string, unknown>) =>
    pipe.transform(value, { type: 'query', metatype, data: undefined });
  beforeEach(() => (checks = 0));

  it('validates a repeated valid query of a marked DTO once, and hands out a fresh DTO each time', async () => {
    const first = (await query(PureQuery, { name: 'memo-1', since: '2026-01-01T00:00:00Z' })) as PureQuery;
    const second = (await query(PureQuery, { name: 'memo-1', since: '2026-01-01T00:00:00Z' })) as PureQuery;
    expect(checks).toBe(1);
    expect(second).toBeInstanceOf(PureQuery);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    second.since!.setUTCFullYear(1999);
    first.since!.setUTCFullYear(1998);
    const third = (await query(PureQuery, { name: 'memo-1', since: '2026-01-01T00:00:00Z' })) as PureQuery;
    expect(third.since!.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('never remembers an invalid query', async () => {
    await expect(query(PureQuery, { name: 'bad' })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(query(PureQuery, { name: 'bad' })).rejects.toBeInstanceOf(RequestValidationError);
    expect(checks).toBe(2);
    await expect(query(PureQuery, { name: 'ok', extra: 'x' })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(query(PureQuery, { name: 'ok', extra: 'x' })).rejects.toBeInstanceOf(RequestValidationError);
  });

  it('validates every time an unmarked DTO, a subclass of a marked one, bodies, and long queries', async () => {
    await query(PlainQuery, { name: 'p' });
    await query(PlainQuery, { name: 'p' });
    await query(DerivedQuery, { name: 'd' });
    await query(DerivedQuery, { name: 'd' });
    await pipe.transform({ name: 'b' }, { type: 'body', metatype: PureQuery, data: undefined });
    await pipe.transform({ name: 'b' }, { type: 'body', metatype: PureQuery, data: undefined });
    const long = 'x'.repeat(600);
    await query(PureQuery, { name: long });
    await query(PureQuery, { name: long });
    expect(checks).toBe(8);
  });

  it('keeps at most 1,000 queries per DTO, the least recently used going first', async () => {
    await query(PureQuery, { name: 'lru-0' });
    for (let i = 1; i <= 1000; i++) await query(PureQuery, { name: `lru-${i}` });
    checks = 0;
    await query(PureQuery, { name: 'lru-1000' });
    expect(checks).toBe(0);
    await query(PureQuery, { name: 'lru-0' });
    expect(checks).toBe(1);
  });
});
