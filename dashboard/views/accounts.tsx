import type { Registration } from '../../core/config.js';
import type { ApiKey } from '../../core/db/schema.js';
import { ButtonForm, Csrf, Field, type FormState } from './form.js';
import { Layout, type Viewer } from './layout.js';

/** The login form. */
export function LoginPage(props: { form: FormState<'email'>; next: string; csrfToken: string; registration: Registration }) {
  const { form, next, csrfToken } = props;
  return (
    <Layout title="Log in">
      <h1>Log in</h1>
      {form.errors.form === undefined ? null : (
        <p class="error" role="alert">
          {form.errors.form}
        </p>
      )}
      <form method="post" action="/login" novalidate>
        <Csrf token={csrfToken} />
        <input type="hidden" name="next" value={next} />
        <Field label="Email" name="email" type="email" value={form.values.email} error={form.errors.email} autocomplete="username" />
        <Field label="Password" name="password" type="password" error={form.errors.password} autocomplete="current-password" />
        <button type="submit">Log in</button>
      </form>
      {props.registration === 'closed' ? null : (
        <p>
          No account yet? <a href="/register">Register</a>
        </p>
      )}
    </Layout>
  );
}

/** The registration form, or why registration is not open. */
export function RegisterPage(props: {
  form: FormState<'email' | 'name' | 'invite'>;
  csrfToken: string;
  registration: Registration;
  inviteValid: boolean;
}) {
  const { form, csrfToken, registration } = props;
  const closed = registration === 'closed' || (registration === 'invite' && !props.inviteValid);
  return (
    <Layout title="Register">
      <h1>Register</h1>
      {closed ? (
        <p>
          {registration === 'closed'
            ? 'This Sightline does not take new accounts. Ask its operator for one.'
            : 'This Sightline takes new accounts by invitation only, and this page has no valid invitation. Ask someone with an account for an invitation link.'}
        </p>
      ) : (
        <form method="post" action="/register" novalidate>
          <Csrf token={csrfToken} />
          {registration === 'invite' ? <input type="hidden" name="invite" value={form.values.invite} /> : null}
          {form.errors.invite === undefined ? null : <p class="error">{form.errors.invite}</p>}
          <Field label="Email" name="email" type="email" value={form.values.email} error={form.errors.email} autocomplete="username" />
          <Field label="Name (optional)" name="name" value={form.values.name} error={form.errors.name} autocomplete="name" />
          <Field
            label="Password (at least 10 characters)"
            name="password"
            type="password"
            error={form.errors.password}
            autocomplete="new-password"
          />
          <button type="submit">Create account</button>
        </form>
      )}
      <p>
        Have an account? <a href="/login">Log in</a>
      </p>
    </Layout>
  );
}

// One page's markup, top to bottom as it shows: longer than a function
// should be, but split into parts it would read out of order.
/** Account settings: change password, and invitations when registration is by invitation. */
export function AccountPage(props: {
  viewer: Viewer;
  form: FormState<never>;
  notice: string | undefined;
  registration: Registration;
  inviteLink: string | undefined;
  keys: ApiKey[];
  /** A key just made: shown once, since only its hash is kept. */
  newKey: string | undefined;
}) {
  const { viewer, form, notice } = props;
  return (
    <Layout title="Account" viewer={viewer}>
      <h1>Account</h1>
      <p class="muted">Signed in as {viewer.email}</p>
      {notice === undefined ? null : (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <h2>Change password</h2>
      <p class="muted">
        Every other browser signed in to this account is signed out, and every API key of this account is revoked: make new ones afterwards.
      </p>
      <form method="post" action="/account/password" novalidate>
        <Csrf token={viewer.csrfToken} />
        <Field label="Current password" name="current" type="password" error={form.errors.current} autocomplete="current-password" />
        <Field
          label="New password (at least 10 characters)"
          name="password"
          type="password"
          error={form.errors.password}
          autocomplete="new-password"
        />
        <button type="submit">Change password</button>
      </form>
      <h2 id="api-keys">API keys</h2>
      <p class="muted">
        For the JSON API (<a href="/api/v1/openapi.json">OpenAPI document</a>): send <code>Authorization: Bearer KEY</code>. A key reaches
        this account's sites only.
      </p>
      {props.newKey === undefined ? null : (
        <p class="notice" role="status">
          New key, shown only now:{' '}
          <span class="secret" id="new-api-key">
            {props.newKey}
          </span>
        </p>
      )}
      {props.keys.length === 0 ? (
        <p>No keys.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Made</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.keys.map((key) => (
              <tr>
                <td>{key.name}</td>
                <td class="secret">{key.prefix}…</td>
                <td>{new Date(key.created_at).toISOString().slice(0, 10)}</td>
                <td>{key.last_used_at === null ? 'never' : new Date(key.last_used_at).toISOString().slice(0, 16).replace('T', ' ')}</td>
                <td>
                  <ButtonForm action={`/account/keys/${key.id}/revoke`} csrfToken={viewer.csrfToken} label="Revoke" class="link" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/account/keys" novalidate>
        <Csrf token={viewer.csrfToken} />
        <Field label="Name of a new key" name="name" error={form.errors.key_name} placeholder="Grafana" />
        <button type="submit">Create an API key</button>
      </form>
      {props.registration === 'invite' ? (
        <>
          <h2>Invite someone</h2>
          {props.inviteLink === undefined ? (
            <p>An invitation link lets one person register. It works for 7 days.</p>
          ) : (
            <p class="notice">
              Send this link; it is shown only now: <span class="secret">{props.inviteLink}</span>
            </p>
          )}
          <ButtonForm action="/account/invites" csrfToken={viewer.csrfToken} label="Create an invitation link" />
        </>
      ) : null}
    </Layout>
  );
}
