// The app alone on an existing store (SML_HOME / DATABASE_URL), on an ephemeral loopback port; prints its URL.
// Started by run.ts as a separate process so the load generator does not share its event loop.
import { openDatabase } from '../../src/db/index.js'
import { createApp, createServices, listen } from '../../src/web/index.js'

const db = await openDatabase()
const services = createServices(db)
const server = await listen(createApp(services), { port: 0 })
process.stdout.write(`${server.url}\n`)
const stop = async () => {
  await server.close()
  await services.requestLog.flush()
  await db.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
