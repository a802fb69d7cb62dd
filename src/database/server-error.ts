/**
 * An error the server reported (it has a SQLSTATE): the statement failed and stored nothing, and the connection
 * that got it is still usable.
 */
export function isServerError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}
