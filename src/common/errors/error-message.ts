/**
 * What to log of something thrown: an Error's message, a string as it is, anything else by its type only; at most
 * `maxLength` characters (for what a run record keeps).
 */
export function errorMessage(thrown: unknown, maxLength = Infinity): string {
  const message =
    thrown instanceof Error
      ? thrown.message
      : typeof thrown === 'string'
        ? thrown
        : `a thrown ${thrown === null ? 'null' : typeof thrown}`;
  return message.slice(0, maxLength);
}
