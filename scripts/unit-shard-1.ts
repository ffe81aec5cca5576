// Shard 1 of `make unit` (see unit-tests.ts).
import { runShard } from './unit-tests.js';

await runShard(1);
