import type { ShareLink, Site } from '../../core/db/schema.js';
import { ButtonForm, Csrf, Field, type FormState, PublicUrlNotice } from './form.js';
import { Layout, type Viewer } from './layout.js';

/** What the site settings form shows. */
export type SettingsFormState = FormState<'base_url' | 'name' | 'timezone'>;

// Every zone Node knows, for the picker; UTC first.
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

// One page's markup, top to bottom as it shows: longer than a function
// should be, but split into parts it would read out of order.
/** A site's settings: name, base URL and time zone, share links, and the way to delete it. */
export function SettingsPage(props: {
  site: Site;
  viewer: Viewer;
  form: SettingsFormState;
  links: ShareLink[];
  /** A share link just made: shown once, since only its hash is kept. */
  newLink: string | undefined;
  /** Where links point when PUBLIC_URL is not set. */
  unsetPublicUrl: string | undefined;
}) {
  const { site, viewer, form, links, newLink } = props;
  return (
    <Layout title={`Settings · ${site.name}`} viewer={viewer}>
      <h1>Settings of {site.name}</h1>
      <p>
        <a href={`/site/${site.id}`}>Back to the report</a>
      </p>

      <h2>Site</h2>
      <form method="post" action={`/site/${site.id}/settings`} novalidate>
        <Csrf token={viewer.csrfToken} />
        <Field label="Base URL" name="base_url" value={form.values.base_url} error={form.errors.base_url} />
        <Field label="Name" name="name" value={form.values.name} error={form.errors.name} />
        <p class={form.errors.timezone === undefined ? 'field' : 'field invalid'}>
          <label for="timezone">Time zone (reports cut days at its midnight)</label>
          <select id="timezone" name="timezone">
            {ZONES.map((zone) => (
              <option value={zone} selected={zone === form.values.timezone}>
                {zone}
              </option>
            ))}
          </select>
          {form.errors.timezone === undefined ? null : <span class="error">{form.errors.timezone}</span>}
        </p>
        <button type="submit">Save</button>
      </form>

      <h2 id="sharing">Share a read-only report</h2>
      <p class="muted">Anyone with a link sees this site's report, not its settings. Revoke a link to close it.</p>
      {newLink === undefined ? null : (
        <p class="notice" role="status">
          New link, shown only now:{' '}
          <span class="secret" id="share-link">
            {newLink}
          </span>
        </p>
      )}
      {newLink === undefined ? null : <PublicUrlNotice origin={props.unsetPublicUrl} />}
      {links.length === 0 ? (
        <p>No shared links.</p>
      ) : (
        <ul id="share-links">
          {links.map((link) => (
            <li>
              Link {link.id}, made {new Date(link.created_at).toISOString().slice(0, 10)}{' '}
              <ButtonForm action={`/site/${site.id}/shares/${link.id}/revoke`} csrfToken={viewer.csrfToken} label="Revoke" class="link" />
            </li>
          ))}
        </ul>
      )}
      <ButtonForm action={`/site/${site.id}/shares`} csrfToken={viewer.csrfToken} label="Create a share link" />

      <h2>Delete</h2>
      <p>
        <a href={`/site/${site.id}/delete`}>Delete this site and all its events…</a>
      </p>
    </Layout>
  );
}

/** The confirmation step before a site and its events are deleted. */
export function DeletePage(props: { site: Site; viewer: Viewer; events: number; error: string | undefined }) {
  const { site, viewer } = props;
  return (
    <Layout title={`Delete ${site.name}`} viewer={viewer}>
      <h1>Delete {site.name}?</h1>
      <p>
        This deletes the site and its {props.events.toLocaleString('en-US')} events for good. The tracker on its pages will get 404s until
        you remove it.
      </p>
      <form method="post" action={`/site/${site.id}/delete`} novalidate>
        <Csrf token={viewer.csrfToken} />
        <Field label={`Type the site's domain, ${site.domain}, to confirm`} name="confirm" error={props.error} />
        <button type="submit" class="danger">
          Delete site
        </button>{' '}
        <a href={`/site/${site.id}/settings`}>Cancel</a>
      </form>
    </Layout>
  );
}
