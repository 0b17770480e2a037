import { fileURLToPath } from 'node:url'

/** The shared copies of the public CSVs (../shared/data beside the checkout); never committed here. */
export const DATA_DIR = process.env.SML_DATA_DIR ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url))
export const IRIS_CSV = `${DATA_DIR}/iris.csv`
export const TITANIC_CSV = `${DATA_DIR}/titanic.csv`
/** 2,813 daily readings of one Stockholm street station, exported from aqicn.org as is (see ../shared/data/README.md). */
export const AIR_QUALITY_CSV = `${DATA_DIR}/air-quality-stockholm-hornsgatan.csv`
