import type { CircuitService } from '../services/circuits.js';
import { ablationJob } from './ablation.js';
import { circuitJob, evaluateJob } from './circuits.js';
import { type DashboardJobDeps, dashboardJob } from './dashboards.js';
import { type ExplainJobDeps, explainJob } from './explain.js';
import type { JobMemoryGuard } from './memory.js';
import { promptGraphJob } from './prompt-graph.js';
import type { JobHandler } from './runner.js';
import { selftestJob } from './selftest.js';

/** Every kind of job this codebase can run, by kind. Servers and workers register the same set. */
export function jobHandlers(
  deps: DashboardJobDeps &
    ExplainJobDeps & { circuits: CircuitService; memory: JobMemoryGuard; engineCacheDir?: string },
): Map<string, JobHandler> {
  return new Map<string, JobHandler>([
    ['selftest', selftestJob],
    ['dashboards', dashboardJob(deps)],
    ['circuit', circuitJob(deps)],
    ['evaluate', evaluateJob(deps)],
    ['ablation', ablationJob(deps)],
    ['explain', explainJob(deps)],
    ['graph', promptGraphJob(deps)],
  ]);
}
