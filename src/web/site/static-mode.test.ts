import { describe, expect, it } from 'vitest'
import { LIVE_MODE } from '../links.js'
import { StaticSiteMap } from './static-mode.js'

describe('StaticSiteMap', () => {
  const site = new StaticSiteMap()
  site.add('/', 'index.html')
  site.add('/iris', 'iris/index.html')
  site.add('/iris/monitor', 'iris/monitor.html')
  site.add('/models/iris_model', 'models/iris_model.html')
  site.add('/api/models/iris_model/versions/1/artifacts/model file.json', 'models/iris_model/v1/model file.json')
  site.addChart('iris/monitor.html', '<svg>a</svg>', { svg: 'iris/charts/accuracy.svg', png: 'iris/charts/accuracy.png' })

  it('links are relative to the page they are on, with the hash kept', () => {
    expect(site.modeFor('index.html').href('/iris/monitor')).toBe('iris/monitor.html')
    expect(site.modeFor('iris/monitor.html').href('/iris')).toBe('index.html')
    expect(site.modeFor('iris/monitor.html').href('/')).toBe('../index.html')
    expect(site.modeFor('iris/monitor.html').href('/models/iris_model#v1')).toBe('../models/iris_model.html#v1')
    expect(site.modeFor('models/iris_model.html').href('/models/iris_model#v2')).toBe('iris_model.html#v2')
  })

  it('an encoded app path finds its file, and the href is a valid URL', () => {
    expect(site.modeFor('models/iris_model.html').href('/api/models/iris_model/versions/1/artifacts/model%20file.json')).toBe('iris_model/v1/model%20file.json')
  })

  it('a page not exported, or one chosen by a query, has no href', () => {
    const mode = site.modeFor('index.html')
    expect(mode.href('/runs/3')).toBeNull()
    expect(mode.href('/feature-groups/iris?version=1')).toBeNull()
    expect(mode.href('/iris?sepal_length=5')).toBeNull()
    expect(mode.href('/%E0%A4%A')).toBeNull() // not decodable
    expect(mode.static).toBe(true)
  })

  it('a chart has its files only on the page it was saved for', () => {
    expect(site.modeFor('iris/monitor.html').chartFiles('<svg>a</svg>')).toEqual({ svg: 'charts/accuracy.svg', png: 'charts/accuracy.png' })
    expect(site.modeFor('titanic/monitor.html').chartFiles('<svg>a</svg>')).toBeNull()
    expect(site.modeFor('iris/monitor.html').chartFiles('<svg>b</svg>')).toBeNull()
  })

  it('the live mode keeps app paths and draws no PNG links', () => {
    expect(LIVE_MODE.href('/runs?pipeline=iris-daily')).toBe('/runs?pipeline=iris-daily')
    expect(LIVE_MODE.chartFiles('<svg/>')).toBeNull()
    expect(LIVE_MODE.static).toBe(false)
  })
})
