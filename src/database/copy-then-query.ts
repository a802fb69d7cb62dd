import type { Connection, Submittable } from 'pg';

/** A text-format result row: one string (or null) per column. */
export type TextRow = (string | null)[];

const MESSAGE_QUERY = 0x51; // 'Q'
const MESSAGE_COPY_DATA = 0x64; // 'd'
const MESSAGE_COPY_DONE = 0x63; // 'c'

/**
 * One simple-protocol query string holding a `COPY … FROM STDIN` followed by more statements, sent together with
 * the COPY's data in a single write: PostgreSQL runs the statements of one query string as one implicit
 * transaction, so the copy and what follows commit or fail together, in one round trip instead of the four of
 * BEGIN, COPY (which waits for the server's go-ahead before sending data), the statement, COMMIT.
 *
 * Sending the data before the server asks for it is safe: it reads it when the COPY starts, and if an earlier
 * statement fails it discards copy messages that arrive outside a COPY. The statements cannot take parameters
 * (simple protocol); rows come back in text format, in the order the server sends them.
 */
export class CopyThenQuery implements Submittable {
  readonly rows: TextRow[] = [];
  readonly result: Promise<TextRow[]>;
  private resolve!: (rows: TextRow[]) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    const textBytes = Buffer.byteLength(this.text, 'utf8');
    const message = Buffer.allocUnsafe(1 + 4 + textBytes + 1 + 1 + 4 + this.data.length + 1 + 4);
    let at = message.writeUInt8(MESSAGE_QUERY, 0);
    at = message.writeInt32BE(4 + textBytes + 1, at);
    at += message.write(this.text, at, 'utf8');
    at = message.writeUInt8(0, at);
    at = message.writeUInt8(MESSAGE_COPY_DATA, at);
    at = message.writeInt32BE(4 + this.data.length, at);
    at += this.data.copy(message, at);
    at = message.writeUInt8(MESSAGE_COPY_DONE, at);
    message.writeInt32BE(4, at);
    connection.stream.write(message);
  }

  // The protocol callbacks node-postgres calls on the active query.
  handleCopyInResponse(): void {
    // The data is already on its way.
  }

  handleRowDescription(): void {}

  handleDataRow(message: { fields: TextRow }): void {
    this.rows.push(message.fields);
  }

  handleCommandComplete(): void {}

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyData(): void {}

  /** A server error (the implicit transaction rolled back) or a dead connection. */
  handleError(error: Error): void {
    this.callback();
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.callback();
    this.resolve(this.rows);
  }

  /** Present so node-postgres can wrap it with its `query_timeout` mechanism. */
  callback(): void {}
}

/** Parses a PostgreSQL text-format array of plain values (uuids, numbers: no quoting) into its elements. */
export function parsePlainArray(text: string | null): string[] {
  if (text === null || text === '{}') return [];
  return text.slice(1, -1).split(',');
}
