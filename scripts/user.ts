// The entry point of `npm run user`: settings and store as the server opens
// them, then dashboard/user-cli.ts does the work.
import { ConfigError, loadConfig } from '../core/config.js';
import { migrate, openStore } from '../core/db/connect.js';
import { runUserCommand } from '../dashboard/user-cli.js';

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  // The first line: `echo PASSWORD |` adds a newline that is no part of it.
  return text.split(/\r?\n/)[0] ?? '';
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`user: ${error.message}`);
  process.exit(1);
}
const store = openStore(config.database);
try {
  await migrate(store.db);
  process.exitCode = await runUserCommand(store.db, process.argv.slice(2), { readPassword: readStdin, print: (line) => console.log(line) });
} finally {
  await store.close();
}
