import { CloudApiError, type CloudErrorKind } from '../../shared/domain/errors.js';

/** A classified cloud error as the adapters raise it. */
export function cloudError(kind: CloudErrorKind, code: string, api = 'ram:Test', statusCode?: number): CloudApiError {
  return new CloudApiError({
    api,
    code,
    kind,
    message: `${code} (injected)`,
    ...(statusCode === undefined ? {} : { statusCode }),
  });
}

/** The errors RAM and STS answer most often, classified. */
export const CloudErrors = {
  throttled: (api?: string) => cloudError('throttled', 'Throttling.User', api, 400),
  unavailable: (api?: string) => cloudError('unavailable', 'ServiceUnavailable', api, 503),
  noPermission: (api?: string) => cloudError('noPermission', 'NoPermission', api, 403),
  invalid: (api?: string) => cloudError('invalid', 'InvalidParameter.RoleName', api, 400),
  roleNotFound: (api?: string) => cloudError('notFound', 'EntityNotExist.Role', api, 404),
} as const;
