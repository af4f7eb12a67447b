/**
 * Zod is the dashboard's one validation library: the forms, the API and the
 * report state describe what they take as zod schemas, with the messages
 * people read. This turns zod's issues into the FieldErrors they answer with.
 * (The collector's beacon parser is hand-written: it is the ingest hot path.)
 */
import type { z } from 'zod';
import { type FieldErrors, fieldErrors } from '../../core/errors.js';

/**
 * One message per field, the first zod gave for it; each unknown key of a
 * strict object gets `unknown`. Every field is named, not only the first.
 */
export function fieldErrorsOf(error: z.ZodError, unknown = 'is not a field of this request'): FieldErrors {
  const errors = fieldErrors();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors[key] ??= unknown;
    } else {
      errors[String(issue.path[0] ?? '')] ??= issue.message;
    }
  }
  return errors;
}

/** A form field as text, trimmed; anything else (a file, a repeated field, none) is empty. */
export function formText(value: unknown): string {
  return formString(value).trim();
}

/** A form field as it was sent, untrimmed; anything else (a file, a repeated field, none) is empty. */
export function formString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
