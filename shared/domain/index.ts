/** The pure domain of dts-trust: grants, relationships, validation, the error catalog and the endpoint matrix. */
export * from './account-id.js';
export * from './audit.js';
export * from './audit-bounds.js';
export * from './catalog.js';
export * from './desired-role.js';
export * from './endpoints.js';
export * from './errors.js';
export * from './finding.js';
export * from './grant.js';
export * from './guides.js';
export * from './ownership.js';
export * from './protected-roles.js';
export * from './relationship.js';
export * from './timestamp.js';
export * from './validation.js';
export * from './zod-problems.js';
