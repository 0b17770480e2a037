import { openDatabase, type OpenDatabaseOptions, type SqlDialect } from '../db/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry, type ModelRegistryOptions } from '../registry/index.js'
import { RunStore } from '../runtime/index.js'
import { storeLocation, type StoreConfig } from './env.js'

/** One open store: the database, and the feature store, model registry and run history over it. */
export interface Store {
  readonly db: SqlDialect
  readonly featureStore: FeatureStore
  readonly registry: ModelRegistry
  readonly runs: RunStore
  /** Closes the database (once; later calls resolve at once). */
  close(): Promise<void>
}

/**
 * Opens the database once (applying pending migrations) and returns the three roles over it. `config.store`
 * chooses it (PostgreSQL when `url` is set, else `home`/sml.db); without a config, DATABASE_URL / SML_HOME /
 * SML_PG_SCHEMA are read here, at the edge.
 */
export async function openStore(config?: { readonly store?: StoreConfig }): Promise<Store> {
  const store = config?.store ?? storeLocation()
  const db = await openDatabase({ url: store.url, home: store.home, schema: store.schema })
  let closed: Promise<void> | null = null
  return {
    db,
    featureStore: new FeatureStore(db),
    registry: new ModelRegistry(db),
    runs: new RunStore(db),
    close: () => (closed ??= db.close()),
  }
}

/**
 * The feature store alone (Hopsworks' `get_feature_store()`): the store named by `options` (`url`, `home`,
 * `schema`), else the environment's (DATABASE_URL, SML_HOME, SML_PG_SCHEMA), read here at the edge.
 */
export async function openFeatureStore(options: OpenDatabaseOptions = {}): Promise<FeatureStore> {
  return new FeatureStore(await openDatabase({ ...options, ...storeLocation(options) }))
}

/** The model registry alone, over the store named by `options`, else the environment's (as openFeatureStore). */
export async function openModelRegistry(options: OpenDatabaseOptions & ModelRegistryOptions = {}): Promise<ModelRegistry> {
  return new ModelRegistry(await openDatabase({ ...options, ...storeLocation(options) }), options)
}
