// The project store: one SQLite file per project. See project.ts.
export { ProjectFile, inspectProject, readProjectMeta, readProjectDocument, setSqliteNativeBinding, emptyDocument, PROJECT_EXTENSION, DTYPE_BYTES } from './project';
export type { StoredDocument, StoredTensor, StoredWeights, ProjectMeta, CreateOptions } from './project';
export { StoreError, type StoreErrorCode } from './errors';
export { RecentProjects } from './recent';
export { Autosaver } from './autosave';
export { resolveAppDirs, uniqueProjectPath, safeFileStem, type AppDirs } from './appdirs';
export { APPLICATION_ID, CURRENT_SCHEMA_VERSION, SCHEMA_V1, migrations } from './schema';
export * from './tensors';
export type { VariantRecord, BuildRunRecord, BuildStatus } from './runs';
