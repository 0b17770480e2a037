// The hierarchy lives in errors/, below every layer (ml/ uses the same classes without importing db/).
export { ValidationError, NotFoundError, validationError, formatIssue, type IssueInput as ValidationIssue } from '../errors/index.js'
