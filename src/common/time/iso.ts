/** An instant as ISO-8601 text (node-postgres hands timestamptz over as a Date or, through the ORM, as text). */
export const isoTime = (value: Date | string) => new Date(value).toISOString();
