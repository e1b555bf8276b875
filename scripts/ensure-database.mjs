// Creates the database named in DATABASE_URL when it does not exist yet.
// Exit codes: 0 ready, 2 authentication refused (the caller may create a role), 1 anything else.
import pg from 'pg';

const url = new URL(process.env.DATABASE_URL);
const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
if (!/^[A-Za-z0-9_]+$/.test(name)) {
  console.error(`DATABASE_URL names the database "${name}": use letters, digits and _ only`);
  process.exit(1);
}
const admin = new URL(url);
admin.pathname = '/postgres';
const client = new pg.Client({ connectionString: admin.toString() });
try {
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount === 0) {
    await client.query(`CREATE DATABASE "${name}"`);
    console.log(`Created database ${name}`);
  } else {
    console.log(`Database ${name} exists`);
  }
} catch (error) {
  console.error(`Cannot prepare database ${name}: ${error.message}`);
  process.exit(['28P01', '28000'].includes(error.code) ? 2 : 1);
} finally {
  await client.end().catch(() => {});
}
