import type { Site } from '../../core/db/schema.js';
import type { Realtime } from '../reports/realtime.js';
import { Layout, type Viewer } from './layout.js';

/** How often the live view reloads itself. */
export const REALTIME_REFRESH_SECONDS = 15;

/**
 * The live view: visitors of the last five minutes and their current
 * pages. It reloads itself with a meta refresh, so it stays current with
 * no script (the dashboard's CSP allows none).
 */
export function RealtimePage(props: { site: Site; realtime: Realtime; basePath: string; viewer?: Viewer | undefined; at: number }) {
  const { site, realtime } = props;
  return (
    <Layout title={`${site.name || site.domain}: right now`} viewer={props.viewer} refreshSeconds={REALTIME_REFRESH_SECONDS}>
      <h1>{site.name || site.domain}: right now</h1>
      <p id="realtime">
        {realtime.capped ? 'At least ' : ''}
        <strong>{realtime.visitors.toLocaleString('en-US')}</strong> {realtime.visitors === 1 ? 'visitor' : 'visitors'} in the last 5
        minutes.
      </p>
      {realtime.pages.length === 0 ? null : (
        <table class="breakdown">
          <caption>Current pages</caption>
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col" class="num">
                Visitors
              </th>
            </tr>
          </thead>
          <tbody>
            {realtime.pages.map((page) => (
              <tr>
                <td class="wrap">{page.page}</td>
                <td class="num">{page.visitors.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        As of {new Date(props.at).toISOString().slice(11, 19)} UTC; this page updates itself every {REALTIME_REFRESH_SECONDS} seconds.{' '}
        <a href={props.basePath}>Back to the report</a>
      </p>
    </Layout>
  );
}
