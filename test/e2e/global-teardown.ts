// Stops the end-to-end cluster: SIGTERM to the launcher, which stops every component and removes the
// pods' containers; then waits for it to exit.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, waitFor } from '../processes';

export default async function globalTeardown(): Promise<void> {
  const pidFile = path.join(ROOT, '.data', 'e2e', 'launcher.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGTERM');
  await waitFor(() => !alive(), { timeoutMs: 60_000, what: 'the launcher to stop' });
  fs.rmSync(pidFile);
}
