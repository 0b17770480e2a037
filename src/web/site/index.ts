export { exportSite, type ExportSiteOptions, type SiteFile, type SiteReport } from './export-site.js'
