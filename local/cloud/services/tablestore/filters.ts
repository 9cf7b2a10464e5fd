/**
 * Column conditions and filters (`filter.proto.Filter`): single-column comparisons, AND/OR/NOT composites and
 * column pagination. A write's condition fails with `OTSConditionCheckFail`; a read's filter drops the row.
 */
import { invalidParameter } from './errors.js';
import { decodeFilterValue } from './plainbuffer.js';
import {
  decodeMessage,
  Wire,
  type WireColumnPaginationFilter,
  type WireCompositeColumnValueFilter,
  type WireFilter,
  type WireSingleColumnValueFilter,
} from './protocol.js';
import type { StoredCell } from './store.js';
import { type CellValue, compareCellValues } from './values.js';

/** A decoded column filter. */
export type ColumnFilter =
  | {
      readonly kind: 'single';
      readonly column: string;
      readonly comparator: number;
      readonly value: CellValue;
      readonly passIfMissing: boolean;
      readonly latestVersionOnly: boolean;
    }
  | { readonly kind: 'composite'; readonly operator: number; readonly filters: readonly ColumnFilter[] }
  | { readonly kind: 'pagination'; readonly offset: number; readonly limit: number };

const MAX_DEPTH = 32;

/** Decode a serialized `Filter` (a write's `Condition.column_condition` or a read's `filter`). */
export function decodeColumnFilter(bytes: Uint8Array, depth = 0): ColumnFilter {
  if (depth > MAX_DEPTH) throw invalidParameter(`The depth of the column condition exceeds ${MAX_DEPTH}.`);
  const filter = decodeMessage<WireFilter>('filter.proto.Filter', bytes);
  return fromWire(filter, depth);
}

function fromWire(filter: WireFilter, depth: number): ColumnFilter {
  switch (filter.type) {
    case Wire.FilterType.SINGLE: {
      const single = decodeMessage<WireSingleColumnValueFilter>('filter.proto.SingleColumnValueFilter', filter.filter);
      if (single.comparator < Wire.Comparator.EQUAL || single.comparator > Wire.Comparator.LESS_EQUAL) {
        throw invalidParameter(`Invalid comparator type ${single.comparator} in a single column condition.`);
      }
      return {
        kind: 'single',
        column: single.columnName,
        comparator: single.comparator,
        value: decodeFilterValue(single.columnValue),
        passIfMissing: !single.filterIfMissing,
        latestVersionOnly: single.latestVersionOnly,
      };
    }
    case Wire.FilterType.COMPOSITE: {
      const composite = decodeMessage<WireCompositeColumnValueFilter>(
        'filter.proto.CompositeColumnValueFilter',
        filter.filter,
      );
      const filters = composite.subFilters.map((f) => fromWire(f, depth + 1));
      if (composite.combinator === Wire.LogicalOperator.NOT && filters.length !== 1) {
        throw invalidParameter('The logical operator NOT takes exactly one sub condition.');
      }
      if (composite.combinator !== Wire.LogicalOperator.NOT && filters.length < 2) {
        throw invalidParameter('The logical operators AND and OR take at least two sub conditions.');
      }
      if (composite.combinator < Wire.LogicalOperator.NOT || composite.combinator > Wire.LogicalOperator.OR) {
        throw invalidParameter(`Invalid logical operator ${composite.combinator} in a composite condition.`);
      }
      if (filters.some((f) => f.kind === 'pagination')) {
        throw invalidParameter('A column pagination filter cannot be part of a composite condition.');
      }
      return { kind: 'composite', operator: composite.combinator, filters };
    }
    case Wire.FilterType.PAGINATION: {
      const page = decodeMessage<WireColumnPaginationFilter>('filter.proto.ColumnPaginationFilter', filter.filter);
      if (page.offset < 0 || page.limit < 0) throw invalidParameter('Column pagination offset and limit must be >= 0.');
      return { kind: 'pagination', offset: page.offset, limit: page.limit };
    }
    default:
      throw invalidParameter(`Invalid filter type ${filter.type}.`);
  }
}

function compares(comparator: number, cell: CellValue, expected: CellValue): boolean {
  const c = compareCellValues(cell, expected);
  if (c === undefined) return comparator === Wire.Comparator.NOT_EQUAL;
  switch (comparator) {
    case Wire.Comparator.EQUAL:
      return c === 0;
    case Wire.Comparator.NOT_EQUAL:
      return c !== 0;
    case Wire.Comparator.GREATER_THAN:
      return c > 0;
    case Wire.Comparator.GREATER_EQUAL:
      return c >= 0;
    case Wire.Comparator.LESS_THAN:
      return c < 0;
    default:
      return c <= 0;
  }
}

/**
 * Does a row (its visible columns, versions newest first; undefined when the row does not exist) satisfy the
 * filter? A missing column passes only with `passIfMissing`; with `latestVersionOnly` off, any version may match.
 */
export function matchesFilter(
  filter: ColumnFilter,
  columns: ReadonlyMap<string, readonly StoredCell[]> | undefined,
): boolean {
  switch (filter.kind) {
    case 'single': {
      const versions = columns?.get(filter.column);
      if (!versions || versions.length === 0) return filter.passIfMissing;
      const candidates = filter.latestVersionOnly ? versions.slice(0, 1) : versions;
      return candidates.some((v) => compares(filter.comparator, v.value, filter.value));
    }
    case 'composite':
      if (filter.operator === Wire.LogicalOperator.NOT) return !matchesFilter(filter.filters[0]!, columns);
      if (filter.operator === Wire.LogicalOperator.AND) return filter.filters.every((f) => matchesFilter(f, columns));
      return filter.filters.some((f) => matchesFilter(f, columns));
    case 'pagination':
      return true;
  }
}
