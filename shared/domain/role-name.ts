/**
 * A RAM role name as RAM accepts it: 1-64 letters, digits, "." or "-" (DTS catalog code `InvalidRoleName`). The one
 * rule every product input (tickets, settings, environment, CLI flags, ActionTrail events) reads RAM role names with.
 */
export const RAM_ROLE_NAME = /^[A-Za-z0-9.-]{1,64}$/;

/** The rule {@link RAM_ROLE_NAME} in words, for messages. */
export const RAM_ROLE_NAME_RULE = '1-64 letters, digits, "." or "-"';

/** True when `value` is a RAM role name ({@link RAM_ROLE_NAME}). */
export function isRamRoleName(value: string): boolean {
  return RAM_ROLE_NAME.test(value);
}

/** A CAM role name as CAM accepts it: 1-128 letters, digits or `+ = , . @ - _`. */
export const CAM_ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,128}$/;

/** True when `value` is a CAM role name ({@link CAM_ROLE_NAME}). */
export function isCamRoleName(value: string): boolean {
  return CAM_ROLE_NAME.test(value);
}
