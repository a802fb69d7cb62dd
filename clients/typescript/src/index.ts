import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
/** The problem+json body of every error answer; `type` points to its entry on `GET /errors`. */
export type Problem = components['schemas']['Problem'];
/** One learning event, typed per `eventType` (its `data` included). */
export type LearningEvent = components['schemas']['LearningEvent'];

export interface ClientOptions {
  /** A bearer token, or a function that returns the current one (called for every request). */
  token?: string | (() => string | undefined);
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * A typed client of the API at `baseUrl` (e.g. `http://localhost:3000`): every path, parameter, body and answer is
 * typed from the service's OpenAPI document, and errors come back as `Problem`.
 */
export function createClient(baseUrl: string, options: ClientOptions = {}): Client<paths> {
  const client = createFetchClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const { token } = options;
  if (token)
    client.use({
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  return client;
}
