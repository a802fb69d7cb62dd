import { CursorField, LimitField } from '../http/query-fields';

/** Keyset paging of a list: the opaque cursor of the previous page and a page size of 1-100. */
export class PageQueryDto {
  @CursorField()
  cursor?: string;

  @LimitField(100, 20)
  limit: number = 20;
}
