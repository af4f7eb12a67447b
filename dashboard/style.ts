import { CHART_CSS } from './views/chart.js';

/** The dashboard's only stylesheet, served from memory. */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --line: #d9dde5; --accent: #2456d6; --bad: #b42318; --bg: #fff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --line: #333a48; --accent: #7aa2ff; --bad: #ff8a7a; --bg: #141820; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
.account { display: flex; gap: 1rem; align-items: center; }
.inline { display: inline; }
button.link { background: none; color: var(--accent); padding: 0; text-decoration: underline; }
button.danger { background: var(--bad); }
.notice { padding: .5rem .75rem; border: 1px solid var(--line); border-radius: 4px; }
.secret { font: 13px/1.4 ui-monospace, monospace; word-break: break-all; }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
.num { text-align: right; }
.nowrap { white-space: nowrap; }
.wrap { word-break: break-all; max-width: 24rem; }
.field { display: flex; flex-direction: column; max-width: 28rem; gap: .2rem; }
input, textarea, button { font: inherit; }
input { padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: transparent; color: inherit; }
.invalid input { border-color: var(--bad); }
.error { color: var(--bad); font-size: 13px; }
button { padding: .45rem .9rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
.snippet { width: 100%; font: 13px/1.4 ui-monospace, monospace; padding: .5rem; border: 1px solid var(--line); border-radius: 4px; background: transparent; color: inherit; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
textarea { padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: transparent; color: inherit; }
.invalid textarea { border-color: var(--bad); }
footer { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; font-size: 13px; color: var(--muted); }
footer a { color: var(--muted); }
.periods { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; margin: 1rem 0 .5rem; }
.periods a[aria-current="page"] { font-weight: 700; color: var(--fg); text-decoration: none; }
.custom-range { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; font-size: 14px; }
.custom-range input { padding: .2rem .3rem; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.chip { border: 1px solid var(--line); border-radius: 999px; padding: .1rem .6rem; text-decoration: none; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.card dt { font-size: 13px; color: var(--muted); }
.card dd { margin: 0; }
.big { font-size: 1.4rem; font-weight: 700; }
.panel { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 27rem), 1fr)); gap: 1rem 1.5rem; margin-top: 1.5rem; }
.breakdown table { font-size: 13px; }
.breakdown h3 { font-size: 1rem; margin: 0 0 .3rem; display: flex; justify-content: space-between; }
.breakdown h3 a { font-size: 13px; font-weight: 400; }
select { font: inherit; padding: .35rem .4rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: inherit; max-width: 28rem; }
${CHART_CSS}
`;
