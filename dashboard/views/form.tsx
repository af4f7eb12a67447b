import type { FieldErrors } from '../../core/errors.js';
import { CSRF_FIELD } from '../csrf.js';

/** What a form shows again after a refusal: the values typed (never passwords) and what was wrong. */
export interface FormState<K extends string> {
  values: Record<K, string>;
  errors: FieldErrors;
}

/** One labelled input with its error, wired for screen readers. */
export function Field(props: {
  label: string;
  name: string;
  value?: string;
  error: string | undefined;
  placeholder?: string;
  type?: 'text' | 'email' | 'password' | 'url';
  autocomplete?: string;
}) {
  const errorId = `${props.name}-error`;
  return (
    <p class={props.error === undefined ? 'field' : 'field invalid'}>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : (props.value ?? '')}
        placeholder={props.placeholder}
        autocomplete={props.autocomplete}
        aria-invalid={props.error === undefined ? undefined : 'true'}
        aria-describedby={props.error === undefined ? undefined : errorId}
      />
      {props.error === undefined ? null : (
        <span class="error" id={errorId}>
          {props.error}
        </span>
      )}
    </p>
  );
}

/** The hidden CSRF field every state-changing form carries. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A one-button form: log out, revoke, create. */
export function ButtonForm(props: { action: string; csrfToken: string; label: string; class?: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <Csrf token={props.csrfToken} />
      <button type="submit" class={props.class}>
        {props.label}
      </button>
    </form>
  );
}

/** Under a link that leaves the dashboard, when PUBLIC_URL is not set: `origin` is where it points instead. */
export function PublicUrlNotice({ origin }: { origin: string | undefined }) {
  if (origin === undefined) return null;
  return (
    <p class="notice" role="note">
      PUBLIC_URL is not set, so this points at {origin}, where Sightline listens. Set PUBLIC_URL to the address that visitors and readers
      reach it by.
    </p>
  );
}
