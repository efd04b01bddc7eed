/**
 * How V8's garbage collector should run in a long-lived node process. On a machine with two cores or fewer, V8's GC
 * helper threads (parallel scavenges, concurrent marking and sweeping) compete for the same cores as the node's
 * main thread, its sync batch decoder and its WAL checkpointer; collecting on each isolate's own thread uses less
 * CPU in all (measured in the catch-up benchmark; see BENCHMARKS.md). The flag must be given when Node starts (V8
 * aborts if it is switched at run time): the README's start command for small machines has it, `mochila start` says
 * so when it runs without it there, and the benchmarks start their node processes with it on such machines.
 * Must never depend on anything outside Node itself.
 */
import { availableParallelism } from 'node:os';

export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/** Whether a node process on a machine with `cores` cores should run with V8's single-threaded GC. */
export function singleThreadedGcRecommended(cores = availableParallelism()): boolean {
  return cores <= 2;
}

/** Whether this process runs without the flag where it is recommended. */
export function missingGcFlag(execArgv: readonly string[] = process.execArgv, cores = availableParallelism()): boolean {
  return singleThreadedGcRecommended(cores) && !execArgv.includes(SINGLE_THREADED_GC_FLAG);
}
