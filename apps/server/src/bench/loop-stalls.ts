/**
 * Loaded into the API by bench:job-lag (`node --import .../loop-stalls.js`): logs every stretch the event loop was
 * blocked for over STALL_LOG_MS, as `loop stall: <ms> ms at <epoch ms>`, measured by how late a short timer fires.
 * The benchmark reads these lines to tell the server's own stalls from latency the client or other load adds.
 */
const TICK_MS = 5;
const STALL_LOG_MS = 20;

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - TICK_MS;
  last = now;
  if (late > STALL_LOG_MS) console.error(`loop stall: ${Math.round(late)} ms at ${Date.now()}`);
}, TICK_MS).unref();
