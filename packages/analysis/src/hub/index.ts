// The hub / model-cache API for the rest of the workbench. Names are chosen so that `export *` from the package
// root cannot clash with the engine's own (its GPT-2 config, SAE types and errors).
export { type AddOptions, type AddResult, addLocalFolder } from './add.js';
export { KNOWN_MODELS, KNOWN_SAE_SETS, type KnownModel, type KnownSae, type KnownSaeSet } from './catalog.js';
export {
  HubClient,
  type HubFileMetadata,
  type HubOptions,
  hubOptionsFromEnv,
  type ProgressSink as DownloadProgressSink,
} from './client.js';
export { HubError, IntegrityError, ShapeError as CheckpointShapeError } from './errors.js';
export {
  type FetchOptions as FetchModelsOptions,
  type FetchResult as FetchModelsResult,
  fetchModels,
} from './fetch.js';
export {
  inspectModelFolder,
  inspectSaeFolder,
  saeConventions as saeConventionsFromConfig,
} from './inspect.js';
export {
  findModel as findRegisteredModel,
  listRegisteredModels,
  type RegisteredModels,
  type ResolvedEntry as ResolvedRegistryEntry,
  readRegistry as readModelRegistry,
  removeEntries as removeRegistryEntries,
  resolveCacheDir as resolveModelsDir,
} from './registry.js';
export type {
  ModelEntry as RegistryModelEntry,
  Registry as ModelRegistry,
  RegistryEntry,
  RegistryFile,
  SaeConventions as RegistrySaeConventions,
  SaeEntry as RegistrySaeEntry,
} from './schemas.js';
