import {
  AliveIp,
  User,
  UserTrafficLog,
} from '../../src/database/entities/index.js';
import {
  createNode,
  createNodeUser,
  daysFromNow,
  muQuery,
} from '../factories/node.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { agent } from '../utils/uniproxy-agents.js';

/**
 * A node bills (traffic) and records alive IPs only for the users its group and class cover;
 * the others are skipped and counted like unknown ids, in every dialect. Time-dependent account
 * state (expired, over quota, disabled) does not stop billing: the agent served them until its
 * last poll (README, "Nodes bill only the users they may serve").
 */
describe('node API: reports only touch the users the node may serve (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRAFFIC_LOG: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const GROUP = 2;
  const CLASS = 1;

  /** A node of group 2, class 1, and one user per case. */
  async function setup() {
    const node = await createNode(t.dataSource, {
      sort: 14,
      server: 'tj.example.com',
      customConfig: JSON.stringify({ offset_port_node: '443' }),
      nodeGroup: GROUP,
      nodeClass: CLASS,
    });
    const make = (values: Partial<User>) =>
      createNodeUser(t.dataSource, {
        nodeGroup: GROUP,
        classLevel: CLASS,
        ...values,
      });
    const served = await make({});
    const higherClass = await make({ classLevel: CLASS + 3 });
    const expired = await make({ expireIn: daysFromNow(-1) });
    const disabled = await make({ enable: 0 });
    const otherGroup = await make({ nodeGroup: GROUP + 1 });
    const lowerClass = await make({ classLevel: CLASS - 1 });
    return {
      node,
      billed: [served, higherClass, expired, disabled],
      refused: [otherGroup, lowerClass],
    };
  }

  const counters = async (ids: number[]) =>
    (
      await t.dataSource
        .getRepository(User)
        .find({ where: ids.map((id) => ({ id })), order: { id: 'ASC' } })
    ).map((u) => [u.id, Number(u.u), Number(u.d)]);
  const aliveUsers = async (nodeId: number) =>
    (
      await t.dataSource
        .getRepository(AliveIp)
        .find({ where: { nodeid: nodeId }, order: { userid: 'ASC' } })
    ).map((r) => r.userid);
  const loggedUsers = async (nodeId: number) =>
    (
      await t.dataSource
        .getRepository(UserTrafficLog)
        .find({ where: { nodeId }, order: { userId: 'ASC' } })
    ).map((r) => r.userId);

  it('seed /node/traffic: out-of-scope users skipped and counted, not billed nor logged', async () => {
    const { node, billed, refused } = await setup();
    const unknown = 9_999_999;
    const ids = [...billed, ...refused].map((u) => u.id);
    const res = await t
      .http()
      .post(`${API}/node/traffic`)
      .set('Key', muQuery().key as string)
      .send({
        node_id: node.id,
        data: [...ids, unknown].map((id) => ({ user_id: id, u: 10, d: 20 })),
      })
      .expect(200);
    expect(res.body.data).toMatchObject({
      updated_count: billed.length,
      skipped_count: refused.length + 1,
    });
    expect(await counters(ids)).toEqual([
      ...billed.map((u) => [u.id, 10, 20]),
      ...refused.map((u) => [u.id, 0, 0]),
    ]);
    expect(await loggedUsers(node.id)).toEqual(billed.map((u) => u.id));
  });

  it('SSPanel /mod_mu traffic and aliveip: only users in scope', async () => {
    const { node, billed, refused } = await setup();
    const all = [...billed, ...refused];
    await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .send({ data: all.map((u) => ({ user_id: u.id, u: 5, d: 7 })) })
      .expect(200, { ret: 1, msg: 'ok' });
    expect(await counters(all.map((u) => u.id))).toEqual([
      ...billed.map((u) => [u.id, 5, 7]),
      ...refused.map((u) => [u.id, 0, 0]),
    ]);
    await t
      .http()
      .post('/mod_mu/users/aliveip')
      .query(muQuery(node.id))
      .send({
        data: [
          ...all.map((u) => ({ user_id: u.id, ip: '203.0.113.7' })),
          { user_id: 9_999_999, ip: '203.0.113.8' },
        ],
      })
      .expect(200, { ret: 1, msg: 'ok' });
    expect(await aliveUsers(node.id)).toEqual(billed.map((u) => u.id));
  });

  it('UniProxy push and alive: only users in scope', async () => {
    const { node, billed, refused } = await setup();
    const all = [...billed, ...refused];
    const v2bx = agent(t, node.id, 'trojan');
    await v2bx
      .post('push', Object.fromEntries(all.map((u) => [u.id, [3, 4]])))
      .expect(200, { data: true });
    expect(await counters(all.map((u) => u.id))).toEqual([
      ...billed.map((u) => [u.id, 3, 4]),
      ...refused.map((u) => [u.id, 0, 0]),
    ]);
    await v2bx
      .post(
        'alive',
        Object.fromEntries(all.map((u) => [u.id, ['198.51.100.9']])),
      )
      .expect(200, { data: true });
    expect(await aliveUsers(node.id)).toEqual(billed.map((u) => u.id));
  });

  it('a group-0 node bills every group, still not a class below its own', async () => {
    const node = await createNode(t.dataSource, { nodeGroup: 0, nodeClass: 2 });
    const anyGroup = await createNodeUser(t.dataSource, {
      nodeGroup: 7,
      classLevel: 2,
    });
    const low = await createNodeUser(t.dataSource, {
      nodeGroup: 7,
      classLevel: 1,
    });
    await t
      .http()
      .post('/mod_mu/users/traffic')
      .query(muQuery(node.id))
      .send({
        data: [anyGroup, low].map((u) => ({ user_id: u.id, u: 1, d: 1 })),
      })
      .expect(200);
    expect(await counters([anyGroup.id, low.id])).toEqual([
      [anyGroup.id, 1, 1],
      [low.id, 0, 0],
    ]);
  });
});
