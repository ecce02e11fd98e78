// One agent per data dir: a second one appending to the same log would corrupt it. The lock
// file holds the owner's PID and, where /proc exists, its start time: a lock left by a dead
// process (kill -9) is taken over, also when a new process got the same PID (a restarted
// container numbers its processes from 1 again).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The process' start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or '' without /proc. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number, started: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return started === '' || startTime(pid) === started;
}

/** Takes the data dir's lock or throws; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'proconsul.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid} ${startTime(process.pid)}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidText, started = ''] = readFileSync(path, 'utf8').trim().split(' ');
      const owner = Number(pidText);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner, started)) {
        throw new Error(`data dir ${dataDir} is in use by another agent (pid ${owner})`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock data dir ${dataDir}`);
}
