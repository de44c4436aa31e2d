/**
 * `--profile DIR` of lookup.ts: V8's CPU profile of the bench process (Ombud's server and the bare Fastify
 * route both run in it) over each closed-loop HTTP run, written as `ombud.cpuprofile` and `bare.cpuprofile`
 * (open them in Chrome's DevTools, or summarise them with `bench/consent/profile-summary.ts`).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export function cpuProfiler() {
  const session = new Session();
  session.connect();
  return {
    async start() {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    },
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
