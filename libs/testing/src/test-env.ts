// Where integration tests find the real broker and database that scripts/test.sh started.
export const testEnv = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  /** A database with every migration applied; each test clones it (CREATE DATABASE … TEMPLATE). */
  templateDatabaseUrl: process.env.TEST_TEMPLATE_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/sms_survey_test_template',
  logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
};
