/**
 * The part of the `tablestore` npm SDK (which ships no types) that dts-trust and its tests use.
 * Facts from the SDK's lib/ and samples/: every client method takes params and returns a Promise when no
 * callback is given; integers travel as `Long`; a failed call rejects with `{ code: <HTTP status>, message }`.
 */
declare module 'tablestore' {
  namespace TableStore {
    /** 64-bit integers as the SDK reads and writes them. */
    class Long {
      static fromNumber(n: number): Long;
      static fromString(s: string): Long;
      toNumber(): number;
      toString(): string;
    }

    type PrimaryKeyValue = string | Long | Buffer | typeof INF_MIN | typeof INF_MAX;
    type ColumnValue = string | number | boolean | Long | Buffer;
    /** `[{ name: value }, ...]` in schema order. */
    type PrimaryKeyInput = Array<Record<string, PrimaryKeyValue>>;
    type AttributeInput = Array<Record<string, ColumnValue> & { timestamp?: Long | number }>;

    interface PrimaryKeyColumn {
      name: string;
      value: string | Long | Buffer;
    }
    interface AttributeColumn {
      columnName: string;
      columnValue: ColumnValue;
      timestamp?: Long;
    }
    interface Row {
      primaryKey?: PrimaryKeyColumn[];
      attributes?: AttributeColumn[];
    }

    const INF_MIN: { readonly __infMin: true };
    const INF_MAX: { readonly __infMax: true };

    const RowExistenceExpectation: { IGNORE: 0; EXPECT_EXIST: 1; EXPECT_NOT_EXIST: 2 };
    const ComparatorType: {
      EQUAL: 1;
      NOT_EQUAL: 2;
      GREATER_THAN: 3;
      GREATER_EQUAL: 4;
      LESS_THAN: 5;
      LESS_EQUAL: 6;
    };
    const LogicalOperator: { NOT: 1; AND: 2; OR: 3 };
    const Direction: { FORWARD: 'FORWARD'; BACKWARD: 'BACKWARD' };
    const ReturnType: { NONE: 0; Primarykey: 1; AfterModify: 2 };

    class SingleColumnCondition {
      constructor(
        columnName: string,
        columnValue: ColumnValue,
        comparator: number,
        passIfMissing?: boolean,
        latestVersionOnly?: boolean,
      );
    }
    class CompositeCondition {
      constructor(combinator: number);
      addSubCondition(condition: SingleColumnCondition | CompositeCondition): void;
    }
    class Condition {
      constructor(rowExistenceExpectation: number, columnCondition: SingleColumnCondition | CompositeCondition | null);
    }

    interface ClientConfig {
      endpoint: string;
      instancename: string;
      accessKeyId: string;
      secretAccessKey: string;
      stsToken?: string;
      maxRetries?: number;
      logger?: unknown;
      /** Copied onto every request's `http(s).request` options; `agent` replaces the SDK's own. */
      httpOptions?: { agent?: unknown; timeout?: number; maxSockets?: number };
    }

    interface RowParams {
      tableName: string;
      primaryKey: PrimaryKeyInput;
      /** Required by the SDK's encoder for PutRow, UpdateRow and DeleteRow. */
      condition?: Condition;
      returnContent?: { returnType: number };
    }

    interface BatchTableRows {
      tableName: string;
      rows: Array<Record<string, unknown>>;
    }

    interface TableRowResult {
      isOk: boolean;
      errorCode?: string;
      errorMessage?: string;
      tableName?: string;
      primaryKey?: PrimaryKeyColumn[];
      attributes?: AttributeColumn[];
    }

    class Client {
      constructor(config: ClientConfig);
      createTable(params: {
        tableMeta: { tableName: string; primaryKey: Array<{ name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }> };
        reservedThroughput: { capacityUnit: { read: number; write: number } };
        tableOptions: { timeToLive: number; maxVersions: number };
      }): Promise<unknown>;
      describeTable(params: { tableName: string }): Promise<{
        tableMeta: { tableName: string; primaryKey: Array<{ name: string; type: number | string }> };
        tableOptions?: { timeToLive?: number; maxVersions?: number };
      }>;
      listTable(params: Record<string, never>): Promise<{ tableNames: string[] }>;
      deleteTable(params: { tableName: string }): Promise<unknown>;
      putRow(
        params: RowParams & { condition: Condition; attributeColumns: AttributeInput },
      ): Promise<{ consumed: unknown; row: Row }>;
      getRow(
        params: RowParams & { maxVersions?: number; columnsToGet?: string[] },
      ): Promise<{ consumed: unknown; row: Row }>;
      updateRow(
        params: RowParams & {
          condition: Condition;
          updateOfAttributeColumns: Array<
            | { PUT: AttributeInput }
            | { DELETE_ALL: string[] }
            | { DELETE: Array<Record<string, Long>> }
            | { INCREMENT: Array<Record<string, Long>> }
          >;
        },
      ): Promise<{ consumed: unknown; row: Row }>;
      deleteRow(params: RowParams & { condition: Condition }): Promise<{ consumed: unknown; row: Row }>;
      getRange(params: {
        tableName: string;
        direction: 'FORWARD' | 'BACKWARD';
        inclusiveStartPrimaryKey: PrimaryKeyInput;
        exclusiveEndPrimaryKey: PrimaryKeyInput;
        limit?: number;
        maxVersions?: number;
        columnsToGet?: string[];
      }): Promise<{ rows: Row[]; nextStartPrimaryKey?: PrimaryKeyColumn[] | null }>;
      batchGetRow(params: {
        tables: Array<{
          tableName: string;
          primaryKey: PrimaryKeyInput[];
          maxVersions?: number;
          columnsToGet?: string[];
        }>;
      }): Promise<{ tables: TableRowResult[][] }>;
      batchWriteRow(params: { tables: BatchTableRows[] }): Promise<{ tables: TableRowResult[] }>;
    }
  }

  export = TableStore;
}
