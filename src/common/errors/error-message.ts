/** What to log of something thrown: an Error's message, a string as it is, anything else by its type only. */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  return `a thrown ${thrown === null ? 'null' : typeof thrown}`;
}
