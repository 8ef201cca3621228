import { JobRunnerService } from '../../src/modules/scheduler/job-runner.service.js';
import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import { createOrder, setRefBy } from '../factories/payment.factory.js';
import { signUp } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { itOnMysql, itOnSqlite } from '../utils/modes.js';

/** The value of one sample line of the exposition (`name{labels} value`), 0 when absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((l) => line.includes(l)))
      return Number(line.split(' ').pop());
  }
  return 0;
}

describe('ops: /metrics (e2e)', () => {
  let t: TestApp;
  const scrape = async (): Promise<string> => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
    return res.text;
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { PAYMENT_DEBUG: 'true', PAYBACK_RATES: '0.2' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exposes request latency histograms labelled by route pattern and status, never raw URLs', async () => {
    const user = await signUp(t);
    await t.http().get(`${API}/user/info`).set(user.auth).expect(200);
    await t.http().get(`${API}/user/info`).expect(401);
    await t.http().get(`${API}/no/such/route/12345`).expect(404);
    // A gateway callback, answered in front of the router: counted under its route all the same.
    await t.http().post(`${API}/payment/notify/nope`).send('a=1').expect(400);
    const text = await scrape();
    expect(
      sample(text, 'panel_http_request_duration_seconds_count', {
        method: 'POST',
        route: `${API}/payment/notify/:gateway`,
        status: '400',
      }),
    ).toBe(1);

    expect(text).toContain(
      '# TYPE panel_http_request_duration_seconds histogram',
    );
    const info = { method: 'GET', route: `${API}/user/info` };
    expect(
      sample(text, 'panel_http_request_duration_seconds_count', {
        ...info,
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'panel_http_request_duration_seconds_count', {
        ...info,
        status: '401',
      }),
    ).toBe(1);
    expect(
      sample(text, 'panel_http_request_duration_seconds_bucket', {
        ...info,
        status: '200',
        le: '+Inf',
      }),
    ).toBe(1);
    expect(
      sample(text, 'panel_http_request_duration_seconds_count', {
        method: 'POST',
        route: `${API}/auth/register`,
        status: '201',
      }),
    ).toBe(1);
    // A 404 is counted under one label, not under its URL.
    expect(
      sample(text, 'panel_http_request_duration_seconds_count', {
        route: '<unmatched>',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('12345');
    // Process metrics come along.
    expect(text).toContain('panel_process_resident_memory_bytes');
  });

  it('exposes every business metric of the spec', async () => {
    const text = await scrape();
    for (const name of [
      'panel_traffic_bytes_total',
      'panel_traffic_reports_deduplicated_total',
      'panel_orders_paid_total',
      'panel_commission_paid_total',
      'panel_job_runs_total',
      'panel_job_last_success_timestamp_seconds',
      'panel_db_pool_connections',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  itOnMysql('reports MySQL pool use', async () => {
    const text = await scrape();
    expect(sample(text, 'panel_db_pool_connections', { state: 'max' })).toBe(
      10,
    );
    expect(
      sample(text, 'panel_db_pool_connections', { state: 'open' }),
    ).toBeGreaterThanOrEqual(1);
  });

  itOnSqlite(
    'reports no pool samples on SQLite (there is no pool)',
    async () => {
      const text = await scrape();
      expect(text).toContain('# TYPE panel_db_pool_connections ');
      expect(text).not.toContain('panel_db_pool_connections{');
    },
  );

  it('traffic counters move when a node report is ingested, and a repeated report counts as deduplicated', async () => {
    const node = await createNode(t.dataSource);
    const user = await createNodeUser(t.dataSource);
    const before = await scrape();
    const report = { data: [{ user_id: user.id, u: 1000, d: 24_000 }] };
    for (let i = 0; i < 2; i++)
      await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(node.id))
        .send(report)
        .expect(200);
    const after = await scrape();
    expect(
      sample(after, 'panel_traffic_bytes_total') -
        sample(before, 'panel_traffic_bytes_total'),
    ).toBe(25_000);
    expect(
      sample(after, 'panel_traffic_reports_deduplicated_total') -
        sample(before, 'panel_traffic_reports_deduplicated_total'),
    ).toBe(1);
  });

  it('orders-paid and commission counters move once when an order is paid, not on a repeat', async () => {
    const referrer = await signUp(t);
    const payer = await signUp(t);
    await setRefBy(t.dataSource, payer.id, referrer.id);
    const order = await createOrder(t, payer, '50.00', 'manual');
    const before = await scrape();
    const confirm = () =>
      t
        .http()
        .post(`${API}/payment/debug/confirm`)
        .set(payer.auth)
        .send({ order_id: order.order_id });
    await confirm().expect(200);
    await confirm().expect(409);
    const after = await scrape();
    expect(
      sample(after, 'panel_orders_paid_total') -
        sample(before, 'panel_orders_paid_total'),
    ).toBe(1);
    expect(
      sample(after, 'panel_commission_paid_total') -
        sample(before, 'panel_commission_paid_total'),
    ).toBeCloseTo(10, 6);
  });

  it('a real job run moves the job metrics; a dry run does not', async () => {
    const runner = t.app.get(JobRunnerService);
    const runs = (text: string) =>
      sample(text, 'panel_job_runs_total', { job: 'check', status: 'ok' });
    const before = await scrape();

    const dry = await runner.run('check', { dryRun: true, trigger: 'manual' });
    expect(dry.status).toBe('ok');
    const afterDry = await scrape();
    expect(runs(afterDry) - runs(before)).toBe(0);

    const real = await runner.run('check', { trigger: 'manual' });
    expect(real.status).toBe('ok');
    const after = await scrape();
    expect(runs(after) - runs(before)).toBe(1);
    expect(
      sample(after, 'panel_job_last_success_timestamp_seconds', {
        job: 'check',
      }),
    ).toBe(real.finished_at);
  });

  it('gives every app instance its own registry', async () => {
    const other = await createTestApp({ reuseDatabase: true });
    try {
      await other.http().get('/health').expect(200);
      const text = (await other.http().get('/metrics').expect(200)).text;
      expect(
        sample(text, 'panel_http_request_duration_seconds_count', {
          route: `${API}/user/info`,
        }),
      ).toBe(0);
    } finally {
      await other.app.close();
    }
  });
});
