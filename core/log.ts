/**
 * Logging: one line per record. JSON when stdout is not a terminal (a log
 * collector reads it), a short readable line when a person is watching.
 */
type Fields = Record<string, string | number | boolean | undefined>;

const asJson = !process.stdout.isTTY;

function write(level: 'info' | 'warn' | 'error', msg: string, fields: Fields): void {
  const time = new Date().toISOString();
  const line = asJson
    ? JSON.stringify({ time, level, msg, ...fields })
    : `${time} ${level === 'info' ? '' : `${level.toUpperCase()} `}${msg}${Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => ` ${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : value}`)
        .join('')}`;
  // Through console, so that the test runner can hold back the logs of passing tests.
  if (level === 'error') console.error(line);
  else console.log(line);
}

/** Records something an operator may want to know. */
export function logInfo(msg: string, fields: Fields = {}): void {
  write('info', msg, fields);
}

/** Records something an operator should change, though the server runs. */
export function logWarn(msg: string, fields: Fields = {}): void {
  write('warn', msg, fields);
}

/** Records a failure; pass the error to get its stack. */
export function logError(msg: string, error?: unknown, fields: Fields = {}): void {
  const stack = error instanceof Error ? (error.stack ?? error.message) : error === undefined ? undefined : String(error);
  write('error', msg, { ...fields, stack });
}

/**
 * A request path as logs may show it: the token of a share or invitation
 * link is a password of sorts, and the database keeps only its hash. So
 * whatever follows `share/` anywhere, and any run of 32 or more token
 * characters (tokens and API keys are 43), is left out, whatever route the
 * path matched: `//share/TOKEN` and `/share//TOKEN` too.
 */
export function loggablePath(path: string): string {
  return path.replace(/share\/+[^/]*/g, 'share/…').replace(/[\w-]{32,}/g, '…');
}
