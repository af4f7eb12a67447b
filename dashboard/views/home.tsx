import type { SiteSummary } from '../../core/db/sites.js';
import { Csrf, Field, type FormState } from './form.js';
import { Layout, type Viewer } from './layout.js';

/** What the add-site form shows: the values typed and what was wrong. */
export type SiteFormState = FormState<'base_url' | 'name'>;

/** The home page: the account's sites, and a form to add one. */
export function HomePage({ sites, form, viewer }: { sites: SiteSummary[]; form: SiteFormState; viewer: Viewer }) {
  return (
    <Layout title="Sites" viewer={viewer}>
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
        <Csrf token={viewer.csrfToken} />
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
