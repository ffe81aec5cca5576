import { podLife, type Contender, type PodLife } from './contenders.js';
import { median, pairedRatio, max } from './stats.js';

export interface LifeStats {
  samples: number[];
  medianMs: number;
  upMs: number;
  httpMs: number;
  downMs: number;
  maxRssKb: number;
}

const summarize = (lives: PodLife[]): LifeStats => ({
  samples: lives.map((l) => Math.round(l.ms)),
  medianMs: median(lives.map((l) => l.ms)),
  upMs: median(lives.map((l) => l.upMs)),
  httpMs: median(lives.map((l) => l.httpMs)),
  downMs: median(lives.map((l) => l.downMs)),
  maxRssKb: max(lives.map((l) => l.maxRssKb)),
});

/**
 * Rounds of one pod life per contender, interleaved (A B C A B C ...; each round starts with
 * the next contender, so none always runs first). The first round warms caches and is dropped.
 */
export async function measureLives(contenders: Contender[], rounds: number, podName: (contender: string, round: number) => string): Promise<Record<string, LifeStats>> {
  const lives = new Map<string, PodLife[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      // Background work of a library session (sandboxes made ahead, removals) must not land
      // in another contender's time: it finishes before and after each of its lives.
      await contender.settle?.();
      const life = await podLife(contender, podName(contender.name, round));
      await contender.settle?.();
      if (round > 0) lives.get(contender.name)!.push(life);
    }
    process.stderr.write(`bench: pod life round ${round}/${rounds}${round === 0 ? ' (warm-up)' : ''}\n`);
  }
  return Object.fromEntries([...lives].map(([name, l]) => [name, summarize(l)]));
}

/** Median over rounds of a/b, each pair from the same round. */
export function lifeRatio(stats: Record<string, LifeStats>, a: string, b: string): number {
  return pairedRatio(stats[a]!.samples, stats[b]!.samples);
}
