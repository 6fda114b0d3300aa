import { PrismaPg } from '@prisma/adapter-pg';

const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;

type Queryable = { performIO(query: unknown): Promise<{ fields: { dataTypeID: number }[] }> };

/**
 * The pg adapter cannot read columns of PostgreSQL's catalog type `name` (prisma/prisma#27403), which the
 * schema engine selects while migrating. Reporting them as text is exact: `name` is a short string.
 */
function readNameAsText<T extends object>(queryable: T): T {
  const q = queryable as unknown as Queryable;
  const performIO = q.performIO.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  return queryable;
}

/** The driver adapter the Prisma CLI (migrate deploy, db execute) uses. */
export function createMigrationAdapter(connectionString: string): PrismaPg {
  const factory = new PrismaPg({ connectionString, allowExitOnIdle: true, idleTimeoutMillis: 50 });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = readNameAsText(await connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args: Parameters<typeof startTransaction>) => readNameAsText(await startTransaction(...args));
    return adapter;
  };
  return factory;
}
