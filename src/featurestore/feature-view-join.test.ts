import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { NotFoundError, ValidationError } from '../db/index.js'
import { Random } from '../ml/random.js'
import { FeatureStore } from './feature-store.js'
import type { Row } from './types.js'

const DAY = 86_400_000
const d = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY)

describe.each(testDialectNames())('feature views that join, point-in-time correct, on %s', (dialect) => {
  let tdb: TestDatabase
  let fs: FeatureStore
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    fs = new FeatureStore(await tdb.open())
  })
  afterAll(async () => {
    await fs.close()
    await tdb.drop()
  })

  /** Each test's own groups (named after it), so that tests do not depend on each other's writes. */
  async function fixture(p: string) {
    const labels = await fs.getOrCreateFeatureGroup({
      name: `${p}_aq`,
      primaryKey: ['station', 'day'],
      eventTime: 'day',
      schema: [
        { name: 'station', type: 'string' },
        { name: 'day', type: 'timestamp' },
        { name: 'pm25', type: 'float' },
      ],
    })
    const weather = await fs.getOrCreateFeatureGroup({
      name: `${p}_weather`,
      primaryKey: ['station', 'day'],
      eventTime: 'day',
      schema: [
        { name: 'station', type: 'string' },
        { name: 'day', type: 'timestamp' },
        { name: 'temp', type: 'float' },
        { name: 'sky', type: 'string' },
        { name: 'pm25', type: 'float' },
      ],
    })
    // Keyed by station alone: each new reading supersedes the last, yet a label sees the one current at its time.
    const sensor = await fs.getOrCreateFeatureGroup({
      name: `${p}_sensor`,
      primaryKey: ['station'],
      eventTime: 'ts',
      schema: [
        { name: 'station', type: 'string' },
        { name: 'ts', type: 'timestamp' },
        { name: 'calib', type: 'float' },
      ],
    })
    await labels.insert([
      { station: 'a', day: d(1), pm25: 10 },
      { station: 'a', day: d(3), pm25: 11 },
      { station: 'a', day: d(5), pm25: 12 },
      { station: 'b', day: d(2), pm25: 20 },
      { station: 'b', day: d(4), pm25: 21 },
      { station: 'c', day: d(4), pm25: 30 },
    ])
    await weather.insert([
      { station: 'a', day: d(0), temp: 1, sky: 'sun', pm25: 100 },
      { station: 'a', day: d(3), temp: 3, sky: 'rain', pm25: 103 },
      { station: 'b', day: d(3), temp: 5, sky: null, pm25: 105 },
    ])
    await sensor.insert([{ station: 'a', ts: d(2), calib: 0.5 }])
    const view = () =>
      fs.getOrCreateFeatureView({
        name: p,
        query: labels.select(['station', 'day', 'pm25']).join(weather.selectExcept(['pm25']), { on: ['station'] }).join(sensor.selectAll(), { on: ['station'], prefix: 's_' }),
        labels: ['pm25'],
        transformations: { station: 'one_hot_encoder', sky: 'label_encoder' },
      })
    return { labels, weather, sensor, view }
  }

  const byKey = (data: { keys: Row[] }, i: number) => `${data.keys[i].station}@${(data.keys[i].day as Date).getTime()}`

  it('gives each label row the latest joined row at or before its event time, missing values where none is', async () => {
    const { view } = await fixture('aq_join')
    const fv = await view()
    expect(fv.metadata.features).toEqual(['station', 'day', 'pm25', 'temp', 'sky', 's_calib'])
    expect(fv.inputColumns).toEqual(['station', 'temp', 'sky', 's_calib'])
    const data = await fv.readColumns(['temp', 'sky', 's_calib', 'pm25'], {})
    // Left rows in key order: a@1, a@3, a@5, b@2, b@4, c@4.
    expect(Array.from(data.columns.temp as Float64Array)).toEqual([1, 3, 3, NaN, 5, NaN])
    expect(data.columns.sky).toEqual(['sun', 'rain', 'rain', null, null, null])
    expect(Array.from(data.columns.s_calib as Float64Array)).toEqual([NaN, 0.5, 0.5, NaN, NaN, NaN])
    expect(Array.from(data.columns.pm25 as Float64Array)).toEqual([10, 11, 12, 20, 21, 30])
  })

  it('never uses a feature updated after the label time (leakage), and replays a training dataset as of its commit', async () => {
    const { weather, sensor, view } = await fixture('aq_leak')
    const fv = await view()
    const first = await fv.trainTestSplit({ testSize: 0.5, seed: 1 })
    // Later commits: a new weather row after a@3's time, a correction of a@3's own day (same event time: the later commit wins),
    // and a new sensor reading that supersedes the old one (keyed by station) but lies after a@3.
    await weather.insert([{ station: 'a', day: d(4), temp: 99, sky: 'sun', pm25: 0 }])
    await weather.insert([{ station: 'a', day: d(3), temp: 33, sky: 'rain', pm25: 0 }])
    await sensor.insert([{ station: 'a', ts: d(4), calib: 9 }])
    const data = await fv.readColumns(['temp', 's_calib'], {})
    expect(Array.from(data.columns.temp as Float64Array)).toEqual([1, 33, 99, NaN, 5, NaN])
    expect(Array.from(data.columns.s_calib as Float64Array)).toEqual([NaN, 0.5, 9, NaN, NaN, NaN])
    // The recorded split re-reads every group as of its commit: none of the later values.
    const replay = await fv.getTrainTestSplit(first.trainingDataset.version)
    expect(Array.from(replay.xTrain.data)).toEqual(Array.from(first.xTrain.data))
    expect(Array.from(replay.xTest.data)).toEqual(Array.from(first.xTest.data))
    const again = await fv.readColumns(['temp', 's_calib'], { asOf: first.trainingDataset.commitId! })
    expect(Array.from(again.columns.temp as Float64Array)).toEqual([1, 3, 3, NaN, 5, NaN])
    expect(Array.from(again.columns.s_calib as Float64Array)).toEqual([NaN, 0.5, 0.5, NaN, NaN, NaN])
    const fresh = await fv.trainTestSplit({ testSize: 0.5, seed: 1 })
    expect(fresh.trainingDataset.commitId).toBeGreaterThan(first.trainingDataset.commitId!)
  })

  it('serves online what batch serves offline for every row (getFeatureVector = getBatchData)', async () => {
    const { view } = await fixture('aq_online')
    const fv = await view()
    await fv.trainTestSplit({ testSize: 0.5, seed: 2 })
    const batch = await fv.getBatchData()
    expect(batch.featureNames).toContain('s_calib')
    for (let i = 0; i < batch.keys.length; i++) {
      const v = await fv.getFeatureVector(batch.keys[i])
      expect(v, byKey(batch, i)).toEqual(Array.from(batch.x.data.subarray(i * batch.x.nCols, (i + 1) * batch.x.nCols)))
    }
    // Missing joined numbers reach the model as NaN (boosters route them; other estimators refuse them by name).
    expect(batch.x.data.some(Number.isNaN)).toBe(true)
    // Rows since an instant are chosen on the left only: their joined values may come from older rows, and equal the full read's.
    const since = await fv.getBatchData({ since: d(4) })
    expect(since.keys.map((k) => `${k.station}@${(k.day as Date).getTime()}`)).toEqual([2, 4, 5].map((i) => byKey(batch, i)))
    expect(Array.from(since.x.data)).toEqual([2, 4, 5].flatMap((i) => Array.from(batch.x.data.subarray(i * batch.x.nCols, (i + 1) * batch.x.nCols))))
  })

  it('holds online = offline over seeded random histories with ties, updates and several commits', async () => {
    const rng = new Random(7)
    const stations = ['x', 'y', 'z']
    const g = await fs.getOrCreateFeatureGroup({
      name: 'hist',
      primaryKey: ['station', 'day'],
      eventTime: 'day',
      schema: [
        { name: 'station', type: 'string' },
        { name: 'day', type: 'timestamp' },
        { name: 'v', type: 'float' },
      ],
    })
    const l = await fs.getOrCreateFeatureGroup({ name: 'hist_labels', primaryKey: ['id'], eventTime: 'at', schema: [{ name: 'id', type: 'int' }, { name: 'station', type: 'string' }, { name: 'at', type: 'timestamp' }, { name: 'y', type: 'float' }] })
    await l.insert(Array.from({ length: 40 }, (_, i) => ({ id: i, station: stations[Math.floor(rng.next() * 3)], at: d(Math.floor(rng.next() * 12)), y: i })))
    for (let c = 0; c < 4; c++) await g.insert(Array.from({ length: 8 }, () => ({ station: stations[Math.floor(rng.next() * 3)], day: d(Math.floor(rng.next() * 12)), v: Math.round(rng.next() * 100) })).filter((r, i, all) => all.findIndex((o) => o.station === r.station && o.day.getTime() === r.day.getTime()) === i))
    const fv = await fs.getOrCreateFeatureView({ name: 'hist', query: l.select(['at', 'y']).join(g.select(['v']), { on: ['station'] }), labels: ['y'] })
    await fv.trainTestSplit({ seed: 1 })
    const batch = await fv.getBatchData()
    const vectors = await fv.getFeatureVectors(batch.keys)
    expect(vectors).toEqual(Array.from({ length: batch.keys.length }, (_, i) => Array.from(batch.x.data.subarray(i * batch.x.nCols, (i + 1) * batch.x.nCols))))
    expect(vectors.filter((v) => Number.isNaN(v[0])).length).toBeLessThan(vectors.length)
  })

  it('breaks a tie of one commit and one event time by the greater primary key, online as offline', async () => {
    const { labels } = await fixture('tie')
    const sensors = await fs.getOrCreateFeatureGroup({
      name: 'tie_sensors',
      primaryKey: ['station', 'sensor'],
      eventTime: 'ts',
      schema: [{ name: 'station', type: 'string' }, { name: 'sensor', type: 'string' }, { name: 'ts', type: 'timestamp' }, { name: 'q', type: 'float' }],
    })
    await sensors.insert([
      { station: 'a', sensor: 'b', ts: d(2), q: 2 },
      { station: 'a', sensor: 'a', ts: d(2), q: 1 },
      { station: 'a', sensor: 'c', ts: d(9), q: 3 },
    ])
    const fv = await fs.getOrCreateFeatureView({ name: 'tie', query: labels.select(['pm25']).join(sensors.select(['q']), { on: ['station'] }), labels: ['pm25'] })
    await fv.trainTestSplit({ seed: 1 })
    const batch = await fv.getBatchData()
    // a@1 has none yet; a@3 and a@5 get sensor b's value (b > a), not c's (later than both).
    expect(Array.from(batch.x.data)).toEqual([NaN, 2, 2, NaN, NaN, NaN])
    expect(await fv.getFeatureVectors(batch.keys)).toEqual([[NaN], [2], [2], [NaN], [NaN], [NaN]])
  })

  it('refuses clashing names unless prefixed, and bad join options, naming the field', async () => {
    const { labels, weather, sensor } = await fixture('clash')
    const err = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError)
        return (e as ValidationError).issues
      }
      throw new Error('expected a ValidationError')
    }
    expect(err(() => labels.selectAll().join(weather.selectAll(), { on: ['station'] }))).toMatchObject([{ column: 'pm25', reason: expect.stringContaining("prefix: 'clash_weather_'") }])
    expect(labels.selectAll().join(weather.selectAll(), { on: ['station'], prefix: 'w_' }).columns).toEqual(['station', 'day', 'pm25', 'w_temp', 'w_sky', 'w_pm25'])
    expect(err(() => labels.selectAll().join(weather.select(['temp']), { on: ['nope'] }))).toMatchObject([
      { column: 'nope', reason: expect.stringContaining('not a column of feature group clash_aq ') },
      { column: 'nope', reason: expect.stringContaining('not a column of feature group clash_weather ') },
    ])
    expect(err(() => labels.selectAll().join(weather.select(['temp']), { on: [] }))[0].path).toBe('on')
    expect(err(() => labels.selectAll().join(weather.select(['temp']), { on: ['station'], prefix: 'W-' }))[0].path).toBe('prefix')
    expect(err(() => labels.selectAll().join(weather.select(['station', 'day']), { on: ['station'] }))[0].reason).toContain('contributes no column')
    expect(err(() => labels.selectAll().join(weather.select(['temp']).join(sensor.select(['calib']), { on: ['station'] }), { on: ['station'] }))[0].reason).toContain('chain the joins')
  })

  it('persists the join with the view: reloaded by name it reads the same, and old-style views still load', async () => {
    const { labels, weather, sensor, view } = await fixture('aq_persist')
    const fv = await view()
    await fv.trainTestSplit({ seed: 3 })
    const other = new FeatureStore(await tdb.open())
    try {
      const again = await other.getFeatureView('aq_persist')
      expect(again.metadata.joins).toEqual([
        { featureGroupId: weather.id, features: ['station', 'day', 'temp', 'sky'], on: ['station'], prefix: '' },
        { featureGroupId: sensor.id, features: ['station', 'ts', 'calib'], on: ['station'], prefix: 's_' },
      ])
      expect(again.joinedGroups.map((g) => g.name)).toEqual(['aq_persist_weather', 'aq_persist_sensor'])
      const a = await fv.getBatchData()
      const b = await again.getBatchData()
      expect(Array.from(b.x.data)).toEqual(Array.from(a.x.data))
      const plain = await other.getOrCreateFeatureView({ name: 'aq_plain', query: labels.select(['pm25', 'day']), labels: ['pm25'] })
      expect(plain.metadata.joins).toEqual([])
      expect((await other.getFeatureView('aq_plain')).metadata.joins).toEqual([])
    } finally {
      await other.close()
    }
  })

  it('splits by time: training rows strictly before test rows, recorded and replayed', async () => {
    const { view } = await fixture('aq_time')
    const fv = await view()
    const s = await fv.trainTestSplit({ split: 'time', testStart: d(4) })
    expect(s.trainingDataset).toMatchObject({ split: 'time', testStart: d(4), trainRows: 3, testRows: 3, testSize: 0.5 })
    // a@1, b@2, a@3 train; b@4, c@4, a@5 test (time order, key order on an equal time).
    expect(Array.from(s.trainIndex)).toEqual([0, 3, 1])
    expect(Array.from(s.testIndex)).toEqual([4, 5, 2])
    expect(Array.from(s.yTrain as Float64Array)).toEqual([10, 20, 11])
    const replay = await fv.getTrainTestSplit(s.trainingDataset.version)
    expect(Array.from(replay.testIndex)).toEqual(Array.from(s.testIndex))
    expect(Array.from(replay.xTrain.data)).toEqual(Array.from(s.xTrain.data))
    // The last third by time: ceil(2) rows from the end falls on day 4, which c@4 shares: all three day-4+ rows are test.
    const f = await fv.trainTestSplit({ split: 'time', testSize: 0.3 })
    expect(f.trainingDataset.testStart).toEqual(d(4))
    expect(f.trainingDataset.testRows).toBe(3)
  })

  it('refuses bad time-split options naming the field, and records nothing', async () => {
    const { labels, view } = await fixture('aq_time_bad')
    const fv = await view()
    const issues = async (o: object) => {
      const e = await fv.trainTestSplit(o as never).catch((x) => x)
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => i.path)
    }
    expect(await issues({ split: 'time', testStart: d(4), testSize: 0.2 })).toEqual(['testStart'])
    expect(await issues({ split: 'time', testSize: 1.5 })).toEqual(['testSize'])
    expect(await issues({ split: 'time', testStart: d(0) })).toEqual(['testStart'])
    expect(await issues({ split: 'time', testStart: d(9) })).toEqual(['testStart'])
    expect(await issues({ split: 'time', stratify: true })).toEqual(['stratify'])
    expect(await issues({ split: 'sometimes' })).toEqual(['split'])
    expect(await issues({ testStart: d(4) })).toEqual(['testStart'])
    await labels.insert([{ station: 'c', day: d(6), pm25: null }])
    expect(await issues({ split: 'time', testSize: 0.2 })).toEqual(['row 7.pm25'])
    await expect(fv.getTrainingDataset()).rejects.toBeInstanceOf(NotFoundError)
  })

  it('deletes a view with a group it joins, and refuses to prune a joined group', async () => {
    const { labels, view } = await fixture('aq_del')
    await view()
    const g = await fs.getOrCreateFeatureGroup({ name: 'tmp_join', primaryKey: ['station'], eventTime: 'ts', schema: [{ name: 'station', type: 'string' }, { name: 'ts', type: 'timestamp' }, { name: 'q', type: 'int' }] })
    await g.insert([{ station: 'a', ts: d(0), q: 1 }])
    await fs.getOrCreateFeatureView({ name: 'aq_tmp', query: labels.select(['pm25']).join(g.select(['q']), { on: ['station'] }) })
    await expect(g.pruneCommits({ keepRows: 0 })).rejects.toThrow(/aq_tmp/)
    await fs.deleteFeatureGroup('tmp_join', 1)
    await expect(fs.getFeatureView('aq_tmp')).rejects.toBeInstanceOf(NotFoundError)
    expect((await fs.getFeatureView('aq_del')).metadata.joins.length).toBe(2)
  })
})
