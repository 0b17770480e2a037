import { Hono } from 'hono'
import { layout } from '../layout.js'
import { openApiDocument } from '../openapi.js'
import { DocsPage } from '../pages/docs.js'
import type { WebServices } from '../services.js'

/** The API's own description: `/openapi.json` (OpenAPI 3.1) and `/docs`, the same document as a page. */
export function docsRoutes(services: WebServices): Hono {
  const routes = new Hono()
  const doc = openApiDocument(services.systems)
  routes.get('/openapi.json', (c) => c.json(doc))
  routes.get('/docs', layout(services.systems), (c) => c.render(<DocsPage doc={doc} />, { title: 'JSON API', active: '/docs' }))
  return routes
}
