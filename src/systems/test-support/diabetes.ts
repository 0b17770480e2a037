import { csvToRows, type FeatureSpec } from '../../featurestore/index.js'
import { RandomForestRegressor } from '../../ml/index.js'
import type { FieldDescription, SourceTable, SystemDescription } from '../system.js'

/**
 * A regression system for tests (not shipped): scikit-learn's diabetes data (`../shared/data/diabetes.csv`,
 * 442 patients), label `progression` (disease progression one year after baseline, a score the data set gives
 * no unit for), a random forest regressor. Its key is composite, `['sex', 'row']`: `sex` is also a model input
 * and `row` the patient's line in the file, so it exercises every place a key has more than one column.
 */
const SERUM = ['s1', 's2', 's3', 's4', 's5', 's6'] as const
const COLUMNS = ['age', 'sex', 'bmi', 'bp', ...SERUM, 'progression'] as const

const number = (name: string, label: string, min: number, max: number, step: number, deflt: number, unit?: string): FieldDescription => ({
  kind: 'number',
  name,
  label,
  min,
  max,
  step,
  default: deflt,
  ...(unit ? { unit } : {}),
})

const csvSchema: FeatureSpec[] = COLUMNS.map((name) => ({ name, type: name === 'age' || name === 'sex' ? ('int' as const) : ('float' as const), nullable: false }))

export const diabetes: SystemDescription = {
  name: 'diabetes',
  title: 'Diabetes progression',
  description: 'Predicts disease progression one year after baseline from age, sex, BMI, blood pressure and six blood serum measurements (random forest regressor).',
  source: { file: 'diabetes.csv', url: 'https://example.invalid/diabetes.csv', requiredColumns: [...COLUMNS] },
  featureGroup: {
    name: 'diabetes',
    version: 1,
    description: 'Diabetes patients: baseline measurements and progression one year later',
    primaryKey: ['sex', 'row'],
    eventTime: 'ts',
    schema: [{ name: 'row', type: 'int' }, { name: 'ts', type: 'timestamp' }, ...csvSchema],
    expectations: [
      { column: 'sex', allowed: [1, 2], strict: true },
      { column: 'progression', min: 0, max: 400 },
    ],
  },
  clean(table: SourceTable) {
    return csvToRows(table, csvSchema, 'diabetes.csv').map((r, i) => ({ row: i + 1, ...r }))
  },
  label: { column: 'progression', unit: 'points' },
  fields: [
    { ...number('age', 'Age', 18, 80, 1, 50, 'years'), integer: true } as FieldDescription,
    {
      kind: 'choice',
      name: 'sex',
      label: 'Sex',
      choices: [
        { value: 1, code: 1, label: '1' },
        { value: 2, code: 2, label: '2' },
      ],
      default: 1,
    },
    number('bmi', 'Body mass index', 15, 50, 0.1, 26.4, 'kg/m²'),
    number('bp', 'Mean blood pressure', 50, 150, 0.01, 94.6, 'mmHg'),
    number('s1', 'Total serum cholesterol (s1)', 80, 320, 1, 189),
    number('s2', 'Low-density lipoproteins (s2)', 30, 260, 0.1, 115.4),
    number('s3', 'High-density lipoproteins (s3)', 15, 110, 0.1, 49.8),
    number('s4', 'Cholesterol / HDL (s4)', 1, 10, 0.01, 4.07),
    number('s5', 'Log of serum triglycerides (s5)', 3, 6.5, 0.0001, 4.64),
    number('s6', 'Blood sugar level (s6)', 50, 130, 1, 91),
  ],
  training: { testSize: 0.2, seed: 42 },
  model: {
    name: 'diabetes_model',
    description: 'random forest regressor (30 trees, min 5 samples per leaf)',
    create: (seed) => new RandomForestRegressor({ nEstimators: 30, minSamplesLeaf: 5, seed, nJobs: 1 }),
  },
  daily: { synthetic: { jitter: 0.1 } },
  schedules: { daily: '0 6 * * *', batchInference: '15 6 * * *' },
}

/**
 * The same patients keyed as a time series is: `['clinic', 'date']`, a text identifier and a timestamp, neither
 * a model input (as air quality's `station`, `date`). Patients alternate between two clinics, one a day from
 * 2020-01-01; a synthetic day keeps the resampled patient's clinic and takes the tick time as its date.
 */
export const diabetesClinics: SystemDescription = {
  ...diabetes,
  name: 'clinics',
  title: 'Diabetes progression by clinic',
  featureGroup: {
    ...diabetes.featureGroup,
    name: 'clinics',
    primaryKey: ['clinic', 'date'],
    schema: [{ name: 'clinic', type: 'string' }, { name: 'date', type: 'timestamp' }, { name: 'ts', type: 'timestamp' }, ...csvSchema],
  },
  clean(table: SourceTable) {
    return csvToRows(table, csvSchema, 'diabetes.csv').map((r, i) => ({ clinic: i % 2 ? 'south' : 'north', date: new Date(Date.UTC(2020, 0, 1 + i)), ...r }))
  },
  model: { ...diabetes.model, name: 'clinics_model' },
}
