import { describe, expect, it } from 'vitest';
import { loggablePath } from './log.js';

const TOKEN = 'Abc_def-0123456789abcdefghijklmnopqrstuvwxy';

describe('loggablePath', () => {
  it.each([
    ['a share link', `/share/${TOKEN}`, '/share/…'],
    ['a share link with more after it', `/share/${TOKEN}/export/events.csv`, '/share/…/export/events.csv'],
    ['a doubled slash before share', `//share/${TOKEN}`, '//share/…'],
    ['a doubled slash after share', `/share//${TOKEN}`, '/share/…'],
    ['share deeper in the path', `/x/share/${TOKEN}`, '/x/share/…'],
    ['a near-miss token, one character short', `/share/${TOKEN.slice(1)}`, '/share/…'],
    ['a token on another route', `/register/${TOKEN}`, '/register/…'],
    ['an API key in a path', `/api/v1/sl_${TOKEN}`, '/api/v1/…'],
    ['an ordinary path, kept', '/site/12/export/page.csv', '/site/12/export/page.csv'],
  ])('leaves out the token of %s', (_label, path, logged) => {
    expect(loggablePath(path)).toBe(logged);
    expect(loggablePath(path)).not.toContain(TOKEN.slice(0, 20));
  });
});
