import { describe, expect, it } from 'vitest';
import {
  AccessMethodLabel,
  DatabaseType,
  DatabaseTypeLabel,
  DestinationDatabaseTypes,
  isSupportedDestination,
  isSupportedSource,
  SourceEndpoints,
  supportsTwoWay,
} from '../../../shared/domain/endpoints.js';

describe('endpoint matrix', () => {
  it.each([
    { type: 'mysql', method: 'instance', supported: true },
    { type: 'mysql', method: 'ecs', supported: true },
    { type: 'mysql', method: 'cen', supported: false },
    { type: 'redis', method: 'database-gateway', supported: true },
    { type: 'mongodb', method: 'cen', supported: true },
    { type: 'oracle', method: 'express-connect', supported: true },
    { type: 'oracle', method: 'instance', supported: false },
    { type: 'db2-luw', method: 'ecs', supported: true },
    { type: 'db2-iseries', method: 'ecs', supported: false },
    { type: 'clickhouse', method: 'instance', supported: false },
    { type: 'toString', method: 'instance', supported: false },
  ])('source $type through $method is supported: $supported', ({ type, method, supported }) => {
    expect(isSupportedSource(type, method)).toBe(supported);
  });

  it.each([
    { type: 'clickhouse', method: 'instance', supported: true },
    { type: 'selectdb', method: 'instance', supported: true },
    { type: 'mysql', method: 'express-connect', supported: false },
    { type: 'oracle', method: 'instance', supported: false },
  ])('destination $type through $method is supported: $supported', ({ type, method, supported }) => {
    expect(isSupportedDestination(type, method)).toBe(supported);
  });

  it.each([
    { type: 'mysql', supported: true },
    { type: 'redis', supported: true },
    { type: 'mongodb', supported: true },
    { type: 'polardb-mysql', supported: false },
    { type: 'postgresql', supported: false },
  ])('two-way support of $type is $supported', ({ type, supported }) => {
    expect(supportsTwoWay(type)).toBe(supported);
  });

  it('labels every database type and access method it uses', () => {
    for (const [type, methods] of Object.entries(SourceEndpoints)) {
      expect(DatabaseTypeLabel).toHaveProperty(type);
      for (const m of methods ?? []) expect(AccessMethodLabel).toHaveProperty(m);
    }
    for (const type of DestinationDatabaseTypes) expect(DatabaseTypeLabel).toHaveProperty(type);
    expect(Object.keys(DatabaseTypeLabel).sort()).toEqual(Object.values(DatabaseType).sort());
  });
});
