import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv, readCsvFile, type CsvTable } from '../../featurestore/index.js'
import { ValidationError } from '../../db/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { dailyTemplate, describePlan, inferSystem, numberRange, renderProject, scaffoldProject, type InferredColumn, type ScaffoldPlan } from './index.js'

const csv = (name: string) => readCsvFile(join(DATA_DIR, name))
const column = (plan: ScaffoldPlan, name: string): InferredColumn => plan.columns.find((c) => c.name === name)!
const table = (text: string): CsvTable => parseCsv(text, 'test.csv')

describe('inferSystem', () => {
  it('wine: 3 whole-number classes → classification; no id column → a generated row number; ranges from the data', () => {
    const plan = inferSystem(csv('wine.csv'), { name: 'wine', file: 'wine.csv', label: 'cultivar' })
    expect(plan).toMatchObject({ task: 'classification', rows: 178, key: { name: 'id', generated: true }, eventTime: 'ts', stratify: true, title: 'Wine cultivar' })
    expect(plan.classes).toEqual([
      { value: 1, name: 'Cultivar 1', color: '#1d4ed8' },
      { value: 2, name: 'Cultivar 2', color: '#b91c1c' },
      { value: 3, name: 'Cultivar 3', color: '#15803d' },
    ])
    expect(plan.columns.filter((c) => c.role === 'feature')).toHaveLength(13)
    // 11.03–14.83 widened by 10% of the span (0.38) and rounded outward to tenths; two decimals seen; the median.
    expect(numberRange(column(plan, 'alcohol'))).toEqual({ min: 10.6, max: 15.3, step: 0.01, default: 13.05 })
    // 278–1680, whole numbers, rounded to hundreds.
    expect(numberRange(column(plan, 'proline'))).toEqual({ min: 100, max: 1900, step: 1, default: 674 })
    expect(column(plan, 'magnesium')).toMatchObject({ csvType: 'int', field: 'number', nullable: false })
  })

  it('the step follows the decimals most cells show: one float32-noisy cell (9.899999) does not make it 0.0001', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${(5 + i / 10).toFixed(1)},${i % 2 ? 'a' : 'b'}`)
    const plan = inferSystem(table(['id,x,kind', ...rows, '40,9.899999,a'].join('\n')), { name: 'noisy', file: 'noisy.csv', label: 'kind' })
    expect(numberRange(column(plan, 'x')).step).toBe(0.1)
    const precise = inferSystem(table(['id,x,kind', ...rows.map((r, i) => (i < 3 ? r : r.replace(/,(\d+\.\d)/, ',$15'))), '40,9.89,a'].join('\n')), { name: 'precise', file: 'precise.csv', label: 'kind' })
    expect(numberRange(column(precise, 'x')).step).toBe(0.01)
  })

  it('diabetes: a number with many values → regression; an int input with two values → a choice', () => {
    const plan = inferSystem(csv('diabetes.csv'), { name: 'diabetes', file: 'diabetes.csv', label: 'progression' })
    expect(plan.task).toBe('regression')
    expect(plan.classes).toBeUndefined()
    expect(column(plan, 'sex')).toMatchObject({ field: 'choice', values: [1, 2] })
    expect(column(plan, 'age')).toMatchObject({ field: 'number', csvType: 'int' })
    expect(plan.review).toContain("the label's unit (none given)")
    // --task classification turns the 214 values into too many classes: refused, as a float label would be.
    expect(() => inferSystem(csv('diabetes.csv'), { name: 'diabetes', file: 'diabetes.csv', label: 'progression', task: 'classification' })).toThrow(/214 distinct values, too many classes \(at most 50\)/)
    expect(() => inferSystem(csv('diabetes.csv'), { name: 'diabetes', file: 'diabetes.csv', label: 'bmi', task: 'classification' })).toThrow(/too many classes/)
  })

  it('titanic: passengerid is the key; text with many values, left out; text choices; missing values make a column nullable', () => {
    const plan = inferSystem(csv('titanic.csv'), { name: 'passengers', file: 'passengers.csv', label: 'Survived' })
    expect(plan.key).toEqual({ name: 'passengerid', generated: false })
    expect(plan.columns.filter((c) => c.role === 'dropped').map((c) => c.name)).toEqual(['name', 'ticket', 'cabin'])
    expect(column(plan, 'sex')).toMatchObject({ csvType: 'string', field: 'choice', values: ['female', 'male'] })
    expect(column(plan, 'embarked')).toMatchObject({ nullable: true, values: ['C', 'Q', 'S'] })
    expect(column(plan, 'age')).toMatchObject({ nullable: true, field: 'number' })
    expect(column(plan, 'pclass')).toMatchObject({ field: 'choice', values: [1, 2, 3] })
    expect(plan.review.filter((r) => r.startsWith('column "') && r.includes('is not used'))).toHaveLength(3)
    expect(plan.review).toContain('column "embarked" has missing cells but is a choice: training keeps them missing, the predict page and API ask for one of its values')
    // A number column with missing cells is an optional field: the predict API and page accept it missing.
    const code = renderProject(plan)['systems/passengers.ts']
    expect(code).toMatch(/\{ kind: 'number', name: 'age', label: 'Age', min: 0, max: \d+, step: [\d.]+, default: \d+, optional: true \}, \/\/ data: .*; may be missing/)
    expect(code).toMatch(/\{ kind: 'number', name: 'fare', [^}]*default: [\d.]+ \}, /)
    expect(code).toContain("{ name: 'age', type: 'float', nullable: true },")
  })

  it('refuses NaN, NA, n/a … in a number column before anything is made (the store refuses them: a missing value is an empty cell)', () => {
    const marks = () => inferSystem(table('x,y,label\n1,NaN,a\n2,3.5,b\n3,n/a,a\n4,5.5,b\n5,NA,a\n'), { name: 'marks', file: 'marks.csv', label: 'label' })
    expect(marks).toThrow(ValidationError)
    expect(marks).toThrow('marks.csv: column "y" is a column of numbers with 3 cells written "NaN", "n/a", "NA" (first on line 2): the feature store refuses them — a missing value is an empty cell; replace them and run init again')
    // A numeric label's markers too.
    expect(() => inferSystem(table('x,y\n1,1.5\n2,NaN\n3,2.5\n4,3.5\n'), { name: 'labels', file: 'labels.csv', label: 'y' })).toThrow(/column "y" is a column of numbers with 1 cell written "NaN" \(first on line 3\)/)
    // A text column keeps such a cell as a value, as csvToRows does: "NA" may be a code.
    const text = inferSystem(table('x,country,label\n1,NA,a\n2,SE,b\n3,NA,a\n4,SE,b\n'), { name: 'texts', file: 'texts.csv', label: 'label' })
    expect(column(text, 'country')).toMatchObject({ csvType: 'string', nullable: false, values: ['NA', 'SE'] })
  })

  it('iris: a text label → classification with its values as class names', () => {
    const plan = inferSystem(csv('iris.csv'), { name: 'iris_own', file: 'iris_own.csv', label: 'variety' })
    expect(plan.task).toBe('classification')
    expect(plan.classes!.map((c) => c.name)).toEqual(['Setosa', 'Versicolor', 'Virginica'])
    expect(() => inferSystem(csv('iris.csv'), { name: 'iris_own', file: 'iris_own.csv', label: 'variety', task: 'regression' })).toThrow(/--task regression needs a numeric label, but "variety" holds text/)
  })

  it('headers that are not identifiers become identifiers; a taken `id` moves the generated key; missing labels are dropped', () => {
    const plan = inferSystem(table('Sepal Length,ID,kind\n1.5,x,a\n2.25,y,b\n,z,\n3,w,a\n'), { name: 'flowers', file: 'flowers.csv', label: 'kind' })
    expect(plan.columns.map((c) => [c.header, c.name, c.role])).toEqual([
      ['sepal length', 'sepal_length', 'feature'],
      ['id', 'id', 'dropped'],
      ['kind', 'kind', 'label'],
    ])
    expect(plan.key).toEqual({ name: 'row_id', generated: true })
    expect(plan.stratify).toBe(false) // one row of class b
    expect(plan.review).toContain('1 row has no kind: clean() drops it')
    const code = renderProject(plan)['systems/flowers.ts']
    expect(code).toContain("sepal_length: r['sepal length'],")
    expect(code).toContain('.filter((r) => r.kind !== null)')
    expect(code).toContain("primaryKey: ['row_id']")
  })

  it('refuses, naming the problem: no label column, one class, an empty label, a bad name, nothing to learn from', () => {
    const t = table('a,b\n1,x\n2,x\n')
    expect(() => inferSystem(t, { name: 'ok', file: 'ok.csv', label: 'c' })).toThrow('ok.csv: has no column "c" for the label (columns: a, b)')
    expect(() => inferSystem(t, { name: 'ok', file: 'ok.csv', label: 'b' })).toThrow('ok.csv: the label "b" has one class ("x"): a classifier needs at least two')
    expect(() => inferSystem(table('a,b\n1,\n2,\n'), { name: 'ok', file: 'ok.csv', label: 'b' })).toThrow('the label column "b" is empty')
    expect(() => inferSystem(t, { name: 'api', file: 'ok.csv', label: 'a' })).toThrow(/system name "api" is a route of the web app .* \(choose one with --name\)/)
    expect(() => inferSystem(t, { name: '9lives', file: 'ok.csv', label: 'a' })).toThrow(/must be lowercase letters/)
    expect(() => inferSystem(table('t,b\n2026-01-01T00:00:00Z,1\n2026-01-02T00:00:00Z,2\n'), { name: 'ok', file: 'ok.csv', label: 'b' })).toThrow('no column is left to predict "b" from')
  })
})

describe('inferSystem from a URL', () => {
  const url = 'https://example.org/data/passengers.csv'
  const timed = table('id,when,x,kind\n3,2026-01-02T00:00:00Z,1.5,a\n1,2026-01-01,2.5,b\n2,2026-01-03T12:00:00Z,3,a\n')

  it('an id key increasing down the file is the daily fetch position; the review says what is fetched', () => {
    const plan = inferSystem(csv('titanic.csv'), { name: 'voyage', file: 'voyage.csv', label: 'survived', url })
    expect(plan).toMatchObject({ url, eventTime: 'ts', eventTimeFromData: false, daily: { kind: 'fetch', after: 'passengerid' } })
    expect(plan.review[plan.review.length - 5]).toMatch(/^the daily pipeline re-reads the URL and adds rows whose passengerid is larger than the largest stored/)
    // A file: synthetic days, whatever its columns.
    expect(inferSystem(csv('titanic.csv'), { name: 'voyage', file: 'voyage.csv', label: 'survived' }).daily).toEqual({ kind: 'synthetic' })
  })

  it('--event-time names a timestamp column: the event time from the data, and the fetch position', () => {
    const plan = inferSystem(timed, { name: 'shop', file: 'shop.csv', label: 'kind', url, eventTime: 'When' })
    expect(plan).toMatchObject({ eventTime: 'when', eventTimeFromData: true, daily: { kind: 'fetch', after: 'when' }, key: { name: 'id', generated: false } })
    expect(plan.columns.map((c) => [c.name, c.role])).toEqual([['id', 'key'], ['when', 'event-time'], ['x', 'feature'], ['kind', 'label']])
    // Without a URL the event time still comes from the data; the days stay synthetic.
    expect(inferSystem(timed, { name: 'shop', file: 'shop.csv', label: 'kind', eventTime: 'when' })).toMatchObject({ eventTimeFromData: true, daily: { kind: 'synthetic' } })
  })

  it('no column tells new rows apart (a generated row number, ids out of order): synthetic days, and the review says why', () => {
    const wine = inferSystem(csv('wine.csv'), { name: 'wine', file: 'wine.csv', label: 'cultivar', url })
    expect(wine.daily).toEqual({ kind: 'synthetic' })
    expect(wine.review).toContain(
      'the daily pipeline draws synthetic rows, not new rows from the URL: it has no increasing id column (the key is a generated row number) and no --event-time column was given; rerun with --event-time COLUMN (a timestamp column) to fetch what arrives',
    )
    const shuffled = inferSystem(timed, { name: 'shop', file: 'shop.csv', label: 'kind', url })
    expect(shuffled.daily).toEqual({ kind: 'synthetic' })
    expect(shuffled.review.find((r) => r.startsWith('the daily pipeline'))).toBe(
      'the daily pipeline draws synthetic rows, not new rows from the URL: its key "id" does not increase down the file and no --event-time column was given; rerun with --event-time when to fetch what arrives',
    )
  })

  it('refuses an --event-time that is missing, the label, not a timestamp, or empty in a row', () => {
    const o = { name: 'shop', file: 'shop.csv', label: 'kind', url }
    expect(() => inferSystem(timed, { ...o, eventTime: 'at' })).toThrow('shop.csv: has no column "at" for --event-time (columns: id, when, x, kind)')
    expect(() => inferSystem(timed, { ...o, eventTime: 'kind' })).toThrow('--event-time "kind" is the label')
    expect(() => inferSystem(timed, { ...o, eventTime: 'x' })).toThrow('--event-time "x" is not a timestamp column (its cells are not all dates or ISO 8601 times, e.g. 1.5)')
    expect(() => inferSystem(table('when,x,kind\n2026-01-01,1,a\n,2,b\n'), { ...o, eventTime: 'when' })).toThrow('--event-time "when" is empty in some rows: every row needs its time')
  })
})

describe('renderProject from a URL', () => {
  const url = 'http://127.0.0.1:9/shop.csv'
  const timed = table('id,when,x,kind\n1,2026-01-01,1.5,a\n2,2026-01-02,2.5,b\n3,2026-01-03,3,a\n')

  it('the source names the file and the URL; the daily line is the fetch after the event time; the clean keeps it', () => {
    const plan = inferSystem(timed, { name: 'shop', file: 'shop.csv', label: 'kind', url, eventTime: 'when' })
    const files = renderProject(plan)
    const code = files['systems/shop.ts']
    expect(code).toContain(`source: { file: 'shop.csv', url: '${url}', requiredColumns: ['id', 'when', 'x', 'kind'] },`)
    expect(code).toContain("import { csvToRows, defineSystem, HistGradientBoostingClassifier, newSourceRows, type CsvTable")
    expect(code).toContain("  { name: 'when', type: 'timestamp' }, // the event time")
    expect(code).toContain("eventTime: 'when', // when the row happened: shop.csv's \"when\" (--event-time)")
    expect(code).toContain('        when: r.when,')
    expect(code.split(dailyTemplate(plan.daily))).toHaveLength(2)
    expect(dailyTemplate(plan.daily)).toBe("daily: { fetch: newSourceRows({ after: 'when' }) },")
    expect(code.match(/\{ name: 'when', type: 'timestamp' \}/g)).toHaveLength(2) // the CSV's column and the schema's, once each
    expect(files['README.md']).toContain(`from ${url} (\`shop.csv\`, 3 rows then)`)
    expect(files['README.md']).toContain('the daily pipeline downloads it again each day and adds its rows whose when (--event-time) is later than the latest stored')
    expect(files['README.md']).toContain('`SML_DATA_DIR=. npm start` reads it instead, offline (the daily fetch then finds nothing new)')
    expect(describePlan(plan)).toEqual([
      `shop: 3 rows of shop.csv (from ${url}); classification of kind: "kind" holds text`,
      '  id    int     key',
      "  when  time    event time, the daily fetch's position",
      '  x     float   number 1.5–3 (field 1.3–3.2, step 0.1)',
      '  kind  string  label, classes a, b',
    ])
  })

  it('a URL without a fetch position renders the synthetic line and says so', () => {
    const plan = inferSystem(csv('wine.csv'), { name: 'wine', file: 'wine.csv', label: 'cultivar', url })
    const code = renderProject(plan)['systems/wine.ts']
    expect(code).toContain(dailyTemplate())
    expect(code).not.toContain('newSourceRows')
    expect(code).toContain("(No column tells the URL's new rows apart: see README.md.)")
  })
})

describe('numberRange', () => {
  const num = (min: number, max: number, median: number, decimals: number, csvType: 'int' | 'float' = 'float'): InferredColumn => ({ header: 'x', name: 'x', csvType, nullable: false, role: 'feature', field: 'number', stats: { min, max, median, decimals } })
  it('widens by 10% of the span, rounds outward to a tenth of its magnitude, keeps 0 for non-negative data', () => {
    expect(numberRange(num(-2.5, 7.5, 1, 1))).toEqual({ min: -4, max: 9, step: 0.1, default: 1 }) // span 10: whole numbers
    expect(numberRange(num(0.13, 0.66, 0.34, 2))).toEqual({ min: 0.07, max: 0.72, step: 0.01, default: 0.34 })
    expect(numberRange(num(3, 3, 3, 0, 'int'))).toEqual({ min: 3, max: 3, step: 1, default: 3 })
    expect(numberRange(num(19, 79, 50, 0, 'int'))).toEqual({ min: 13, max: 85, step: 1, default: 50 })
  })
})

describe('renderProject', () => {
  const plan = inferSystem(csv('diabetes.csv'), { name: 'diabetes', file: 'diabetes.csv', label: 'progression' })
  const files = renderProject(plan, 'file:/tmp/serverless-ml-0.1.0.tgz')

  it('writes the package, the config, the system, .gitignore and a README', () => {
    expect(Object.keys(files).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'sml.config.ts', 'systems/diabetes.ts', 'tsconfig.json'])
    expect(JSON.parse(files['package.json'])).toMatchObject({ type: 'module', scripts: { start: 'exec sml start', serve: 'exec sml serve' }, dependencies: { 'serverless-ml': 'file:/tmp/serverless-ml-0.1.0.tgz' } })
    expect(files['sml.config.ts']).toContain("import { diabetes } from './systems/diabetes.js'")
    expect(files['.gitignore']).toBe('node_modules/\n.sml/\n')
    expect(files['README.md']).toContain('npm install\nnpm start')
  })

  it('a regression system: a float label without classes, a regressor, the daily pipeline from the one template line', () => {
    const code = files['systems/diabetes.ts']
    expect(code).toContain("{ name: 'progression', type: 'float', nullable: false },")
    expect(code).toContain("label: { column: 'progression' },")
    expect(code).toContain('new HistGradientBoostingRegressor({ seed })')
    expect(code).toContain("{ kind: 'choice', name: 'sex', label: 'Sex', choices: [{ value: 1, code: 1, label: '1' }, { value: 2, code: 2, label: '2' }], default: 1 },")
    expect(code.split(dailyTemplate())).toHaveLength(2)
    expect(code).not.toMatch(/ +$/m)
  })

  it('describes each column in one line for the terminal', () => {
    const lines = describePlan(plan)
    expect(lines[0]).toBe('diabetes: 442 rows of diabetes.csv; regression of progression: "progression" is a number with 214 distinct values (--task classification if they are classes)')
    expect(lines).toContain('  id           int     key (generated row number)')
    expect(lines).toContain('  sex          int     choice of 1, 2')
    expect(lines).toContain('  bmi          float   number 18–42.2 (field 15–45, step 0.1)')
  })
})

describe('scaffoldProject', () => {
  it('refuses a missing file, a directory that is not empty, an unparsable CSV, and writes nothing then', () => {
    const root = mkdtempSync(join(tmpdir(), 'sml-scaffold-'))
    const wine = join(DATA_DIR, 'wine.csv')
    expect(() => scaffoldProject({ dir: join(root, 'a'), from: join(root, 'missing.csv'), label: 'x' })).toThrow(`--from ${join(root, 'missing.csv')}: no such file`)
    mkdirSync(join(root, 'full'))
    writeFileSync(join(root, 'full', 'notes.txt'), 'mine')
    expect(() => scaffoldProject({ dir: join(root, 'full'), from: wine, label: 'cultivar' })).toThrow(/full is not empty \(notes\.txt\): choose a new or empty directory/)
    writeFileSync(join(root, 'ragged.csv'), 'a,b\n1,2\n3\n')
    expect(() => scaffoldProject({ dir: join(root, 'b'), from: join(root, 'ragged.csv'), label: 'b' })).toThrow(/ragged\.csv is not valid CSV \(line 3\)/)
    expect(() => scaffoldProject({ dir: join(root, 'c'), from: wine, label: 'colour' })).toThrow(/has no column "colour"/)
    expect(readdirSync(root).sort()).toEqual(['full', 'ragged.csv'])
    expect(readdirSync(join(root, 'full'))).toEqual(['notes.txt'])
  })

  it('names the system after the directory and copies the CSV as <name>.csv', () => {
    const root = mkdtempSync(join(tmpdir(), 'sml-scaffold-'))
    const made = scaffoldProject({ dir: join(root, 'My Wines'), from: join(DATA_DIR, 'wine.csv'), label: 'cultivar' })
    expect(made.plan.name).toBe('my_wines')
    expect(readdirSync(made.dir).sort()).toEqual(['.gitignore', 'README.md', 'my_wines.csv', 'package.json', 'sml.config.ts', 'systems', 'tsconfig.json'])
  })

  it('the copied CSV is writable by its owner even when the original is read-only', () => {
    const root = mkdtempSync(join(tmpdir(), 'sml-scaffold-'))
    const original = join(root, 'wine.csv')
    copyFileSync(join(DATA_DIR, 'wine.csv'), original)
    chmodSync(original, 0o444)
    const made = scaffoldProject({ dir: join(root, 'cellar'), from: original, label: 'cultivar' })
    expect(statSync(join(made.dir, 'cellar.csv')).mode & 0o777).toBe(0o644)
  })
})
