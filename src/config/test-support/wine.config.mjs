// A user's project config with a third system, as `sml init` would write it: only the public API.
import { csvToRows, defineConfig, defineSystem, RandomForestClassifier } from 'serverless-ml'

const MEASURES = ['alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids',
  'nonflavanoid_phenols', 'proanthocyanins', 'color_intensity', 'hue', 'od280_od315_of_diluted_wines', 'proline']

export const wine = defineSystem({
  name: 'wine',
  title: 'Wine cultivar',
  description: 'Predicts the cultivar of an Italian wine from 13 chemical measurements (random forest).',
  source: { file: 'wine.csv', requiredColumns: [...MEASURES, 'cultivar'] },
  featureGroup: {
    name: 'wine',
    version: 1,
    description: 'Wine chemistry and cultivar',
    primaryKey: ['id'],
    eventTime: 'ts',
    schema: [
      { name: 'id', type: 'int' },
      { name: 'ts', type: 'timestamp' },
      ...MEASURES.map((name) => ({ name, type: 'float', nullable: false })),
      { name: 'cultivar', type: 'int', nullable: false },
    ],
    expectations: [{ column: 'cultivar', allowed: [1, 2, 3], strict: true }],
  },
  clean: (table) =>
    csvToRows(table, [...MEASURES.map((name) => ({ name, type: 'float' })), { name: 'cultivar', type: 'int' }], 'wine.csv').map((r, i) => ({ id: i + 1, ...r })),
  label: {
    column: 'cultivar',
    classes: [
      { value: 1, name: 'Cultivar 1', color: '#7f1d1d' },
      { value: 2, name: 'Cultivar 2', color: '#a16207' },
      { value: 3, name: 'Cultivar 3', color: '#4d7c0f' },
    ],
  },
  fields: MEASURES.map((name) => ({ kind: 'number', name, label: name.replaceAll('_', ' '), min: 0, max: 2000, step: 0.01, default: 1 })),
  training: { testSize: 0.2, seed: 42, stratify: true },
  model: { name: 'wine_model', description: 'random forest, 20 trees', create: (seed) => new RandomForestClassifier({ nEstimators: 20, seed }) },
  daily: { synthetic: { jitter: 0.1 } },
  schedules: { daily: '0 7 * * *', batchInference: '15 7 * * *' },
})

export default defineConfig({ systems: [wine] })
