import type fc from "fast-check";

/**
 * How long the property suites run. `npm test` (and `vitest run --project property`) uses a fixed
 * seed and the modest run counts each suite states, so a run is quick and the same every time.
 * `npm run fuzz` sets FUZZ_RUNS: every property then runs that many times from a random seed.
 * FUZZ_SEED=<seed> pins the seed: a failure prints its seed (and path), so it can be replayed
 * with `FUZZ_SEED=<seed> npm run fuzz`.
 */
const FIXED_SEED = 20_261_121;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${raw}: expected an integer`);
  return value;
}

const fuzzRuns = envNumber("FUZZ_RUNS");
const pinnedSeed = envNumber("FUZZ_SEED");

/** True under `npm run fuzz`. */
export const FUZZING = fuzzRuns !== undefined;

/** The seed of this run: fixed by default, random when fuzzing (unless FUZZ_SEED pins it). */
export const SEED = pinnedSeed ?? (FUZZING ? Math.floor(Math.random() * 2 ** 31) : FIXED_SEED);

if (FUZZING) console.log(`property suites: ${fuzzRuns} runs per property, seed ${SEED} (replay: FUZZ_SEED=${SEED} npm run fuzz)`);

/** fast-check parameters for one property; `runs` is its count outside fuzzing. */
export function settings<T>(runs: number): fc.Parameters<T> {
  return { seed: SEED, numRuns: fuzzRuns ?? runs };
}
