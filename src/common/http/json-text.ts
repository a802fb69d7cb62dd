import { Header } from '@nestjs/common';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * For a route that returns JSON already serialized (a page from the read cache): the string goes out as it is, with
 * the JSON content type, instead of being sent as text. Errors still answer problem+json (the filter sets its type).
 */
export const JsonText = () => Header('content-type', JSON_CONTENT_TYPE);
