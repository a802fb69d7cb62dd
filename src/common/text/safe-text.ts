import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Text the service accepts from clients. PostgreSQL refuses NUL in text and jsonb and unpaired UTF-16 surrogates in
 * jsonb, so one such character in a correction would fail every mining run that writes it as a pattern; control
 * characters forge log lines; bidirectional overrides make published text read differently from what it is
 * ("Trojan Source"). Refused: NUL and unpaired surrogates always; C0 and C1 controls other than tab, line feed and
 * carriage return; the bidi embedding, override and isolate controls U+202A–U+202E and U+2066–U+2069.
 * Right-to-left text itself, and the marks U+200E/U+200F, are fine.
 */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why `value` is not acceptable text, or null when it is. */
export function unsafeTextReason(value: string): string | null {
  if (!value.isWellFormed()) return 'must not hold unpaired UTF-16 surrogates';
  const found = FORBIDDEN.exec(value);
  if (!found) return null;
  const code = found[0].codePointAt(0)!;
  if (code === 0) return 'must not hold NUL characters';
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code >= 0x202a
    ? `must not hold bidirectional control characters (${hex})`
    : `must not hold control characters (${hex})`;
}

/** class-validator: the string passes `unsafeTextReason` (non-strings are left to the type check). */
export function SafeText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'safeText',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || unsafeTextReason(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} ${unsafeTextReason(String(args?.value)) ?? 'is not acceptable text'}`,
      },
    });
}

/** Whether every string in a JSON value (keys included) is acceptable text; false past 32 levels. */
export function isSafeJson(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return unsafeTextReason(value) === null;
  if (typeof value !== 'object' || value === null) return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) return value.every((v) => isSafeJson(v, depth + 1));
  return Object.entries(value).every(([k, v]) => unsafeTextReason(k) === null && isSafeJson(v, depth + 1));
}
