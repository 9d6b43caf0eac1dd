// A process that tries to take a data folder (argv[2]) when told "go" on its standard input, says "held" or
// "refused <message>", and holds it until its standard input ends: the racer of test/platform/data-folder-lock.
import { createInterface } from 'node:readline';
import { DataFolderInUse, lockDataFolder } from '../../src/platform/data-folder-lock.ts';

const folder = process.argv[2] ?? '';
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', () => {
  try {
    const lock = lockDataFolder(folder, 'lock-holder');
    process.stdout.write('held\n');
    lines.once('close', () => lock.release());
  } catch (err) {
    if (!(err instanceof DataFolderInUse)) throw err;
    process.stdout.write(`refused ${err.message}\n`);
    process.exit(0);
  }
});
