/** `--queue` argument errors: one line, exit 2, nothing queued; no Redis needed (nothing listens on port 1). */
import { suite } from 'uvu';
import { userError } from '../helpers/cli.js';


const t = suite('queue/cli');
const EXP = ['experiment', '--data', 'synthetic', '--models', 'gcn', '--seeds', '1', '--protocol', 'din'];

t('a --queue that is not a redis:// URL', () => {
  userError([...EXP, '--queue', 'http://127.0.0.1:6379'], /^dpgcn: --queue: expected redis:\/\/HOST:PORT, got "http:\/\/127\.0\.0\.1:6379"$/);
  userError(['worker', '--queue', 'localhost'], /^dpgcn: --queue: expected redis:\/\/HOST:PORT, got "localhost"$/);
});

t('a Redis that does not answer fails at once, naming the URL', () => {
  userError([...EXP, '--queue', 'redis://127.0.0.1:1'], /^dpgcn: --queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  userError(['worker', '--queue', 'redis://127.0.0.1:1'], /^dpgcn: --queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
});

t('a bad queue name or malformed data spec fails before anything is queued', () => {
  userError([...EXP, '--queue', 'redis://127.0.0.1:1', '--queue-name', 'a:b'], /^dpgcn: --queue-name: expected letters/);
  userError(['experiment', '--data', 'nosuchkind:x', '--models', 'gcn', '--seeds', '1', '--protocol', 'din', '--queue', 'redis://127.0.0.1:1'], /nosuchkind/);
  userError(['worker', '--queue', 'redis://127.0.0.1:1', '--lock-duration', 'soon'], /^dpgcn: --lock-duration: expected an integer/);
});

t.run();
