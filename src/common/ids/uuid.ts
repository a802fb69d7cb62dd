const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any RFC 9562 uuid in its canonical text form (case-insensitive). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
