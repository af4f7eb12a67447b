import type { SiteSummary } from '../../collector/db/sites.js';
import type { FieldErrors } from '../../collector/errors.js';
import { CSRF_FIELD } from '../csrf.js';
import { Layout } from './layout.js';

/** What the add-site form shows: the values typed and what was wrong. */
export interface SiteFormState {
  values: { base_url: string; name: string };
  errors: FieldErrors;
}

/** The home page: add a site, and the list of sites. */
export function HomePage({ sites, form, csrfToken }: { sites: SiteSummary[]; form: SiteFormState; csrfToken: string }) {
  return (
    <Layout title="Sites">
      <h1>Sites</h1>
      {sites.length === 0 ? (
        <p>No sites yet. Add the first one below, then paste its snippet into your pages.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Base URL</th>
              <th>Name</th>
              <th class="num">Events</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((site) => (
              <tr>
                <td>
                  <a href={`/site/${site.id}`}>{site.id}</a>
                </td>
                <td>{site.base_url}</td>
                <td>{site.name}</td>
                <td class="num">{site.events.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Add a site</h2>
      <form method="post" action="/site" novalidate>
        <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
        <Field
          label="Base URL"
          name="base_url"
          value={form.values.base_url}
          error={form.errors.base_url}
          placeholder="https://example.com"
        />
        <Field label="Name (optional)" name="name" value={form.values.name} error={form.errors.name} placeholder="Example" />
        <button type="submit">Add site</button>
      </form>
    </Layout>
  );
}

function Field(props: { label: string; name: string; value: string; error: string | undefined; placeholder: string }) {
  const errorId = `${props.name}-error`;
  return (
    <p class={props.error === undefined ? 'field' : 'field invalid'}>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
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
