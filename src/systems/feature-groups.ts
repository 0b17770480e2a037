import type { FeatureGroup, FeatureStore, FeatureView } from '../featurestore/index.js'
import type { SystemDescription } from './system.js'

/** The system's feature group, created from its description on first use. */
export function systemFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  const g = system.featureGroup
  return fs.getOrCreateFeatureGroup({
    name: g.name,
    version: g.version,
    description: g.description,
    primaryKey: [g.primaryKey],
    eventTime: g.eventTime,
    schema: g.schema,
    expectations: g.expectations,
  })
}

/** `<system>_predictions`: one row per predicted feature row, keyed like the features. */
export function predictionsFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  const key = system.featureGroup.schema.find((f) => f.name === system.featureGroup.primaryKey)!
  return fs.getOrCreateFeatureGroup({
    name: `${system.name}_predictions`,
    version: 1,
    description: `Batch predictions of ${system.model.name} with the actual outcome, for monitoring`,
    primaryKey: [key.name],
    eventTime: 'ts',
    schema: [
      key,
      { name: 'ts', type: 'timestamp' },
      { name: 'predicted', type: 'string', nullable: false },
      { name: 'actual', type: 'string' },
      { name: 'probability', type: 'float', nullable: false },
      { name: 'model_version', type: 'int', nullable: false },
      { name: 'feature_commit', type: 'int', nullable: false },
    ],
    expectations: [
      { column: 'predicted', allowed: system.label.classes.map((c) => c.name), strict: true },
      { column: 'probability', min: 0, max: 1, strict: true },
    ],
  })
}

/** The model's view: every feature but the key, with the system's label and transformations. */
export async function systemFeatureView(fs: FeatureStore, system: SystemDescription): Promise<FeatureView> {
  const fg = await systemFeatureGroup(fs, system)
  return fs.getOrCreateFeatureView({
    name: system.name,
    version: 1,
    description: `${system.title}: features and label for ${system.model.name}`,
    query: fg.selectExcept([system.featureGroup.primaryKey]),
    labels: [system.label.column],
    transformations: system.transformations,
  })
}
