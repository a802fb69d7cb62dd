import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { FuzzRequest } from './request-arbitrary';

export interface FuzzResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An answer that never came (timeout, reset): the property fails with it, like a 500 would. */
export class NoAnswerError extends Error {}

class StaleSocketError extends Error {}

/**
 * Sends fuzz requests with node:http, not supertest: the fuzzer needs the bytes to be exactly what it generated
 * (raw percent sequences, latin1 header bytes, bodies in other encodings), which superagent would normalise.
 */
export class FuzzClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: URL,
    private readonly timeoutMs = 15_000,
  ) {}

  async send(req: FuzzRequest): Promise<FuzzResponse> {
    try {
      return await this.sendOnce(req);
    } catch (error) {
      // A kept-alive socket the server closed after its previous answer: Node's documented race; send once more.
      if (error instanceof StaleSocketError) return this.sendOnce(req);
      throw error;
    }
  }

  private sendOnce(req: FuzzRequest): Promise<FuzzResponse> {
    const body = req.body === undefined ? undefined : Buffer.from(req.body, req.bodyEncoding ?? 'utf8');
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.baseUrl.hostname,
          port: this.baseUrl.port,
          method: req.method,
          path: req.path,
          headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', (error) => reject(new NoAnswerError(`the answer broke off: ${error.message}`)));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new NoAnswerError(`no answer within ${this.timeoutMs} ms`)));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof NoAnswerError) reject(error);
        else if (outgoing.reusedSocket && error.code === 'ECONNRESET') reject(new StaleSocketError(error.message));
        else reject(new NoAnswerError(`the connection failed: ${error.message}`));
      });
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length - max} more characters)` : text;

/** The request as a finding quotes it: method, path, headers and body, JSON-escaped so odd characters stay visible. */
export function describeRequest(req: FuzzRequest, max = 600): string {
  const lines = [`${req.method} ${clip(req.path, max)}`];
  for (const [name, value] of Object.entries(req.headers)) lines.push(`${name}: ${clip(JSON.stringify(value), max)}`);
  if (req.body !== undefined)
    lines.push(
      `body (${req.bodyEncoding ?? 'utf8'}, ${req.body.length} characters): ${clip(JSON.stringify(req.body), max)}`,
    );
  return lines.join('\n');
}
