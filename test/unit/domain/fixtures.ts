import { type Grant, type GrantInput, GrantSchema, type TicketRef } from '../../../shared/domain/grant.js';
import { type Relationship, type RelationshipInput, RelationshipSchema } from '../../../shared/domain/relationship.js';

/** Three well-formed account IDs: A owns the source, B the destination, C creates tasks. */
export const A = '1111111111111111';
export const B = '2222222222222222';
export const C = '3333333333333333';

export const NOW = new Date('2030-01-01T00:00:00Z');

export const ticket: TicketRef = { system: 'jira', id: 'DTS-42', requester: 'alice', approver: 'bob' };

/** A parsed grant, defaults applied, overridden by `over`. */
export function grant(over: Partial<GrantInput> = {}): Grant {
  return GrantSchema.parse({ ownerAccountId: A, roleName: 'ram-for-dts', trustedAccountId: B, ticket, ...over });
}

/** A parsed one-way cross-account-source relationship (MySQL to MySQL), overridden by `over`. */
export function relationship(over: Partial<RelationshipInput> = {}): Relationship {
  return RelationshipSchema.parse({
    scenario: 'source',
    source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: 'src-role' },
    destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance', roleName: 'dst-role' },
    ...over,
  });
}
