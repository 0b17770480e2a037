export { defineConfig, projectConfigIssues, type Config, type ProjectConfig, type StoreConfig } from './config.js'
export { loadConfig, findConfigFile, settingsFromEnv, importConfigModule, CONFIG_FILES, type ConfigSettings } from './load-config.js'
export { openStore, openFeatureStore, openModelRegistry, type Store } from './open-store.js'
export { storeLocation } from './env.js'
