import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { randomCode } from '../../common/random.js';
import { appConfig, authConfig, databaseConfig } from '../../config/index.js';
import { PasswordService } from '../../modules/auth/password.service.js';
import { UserRepository } from '../../modules/user/user.repository.js';
import { Shop, SsNode, User } from '../../database/entities/index.js';
import { databaseKind } from '../../database/typeorm.options.js';
import { DEMO_ADMIN_EMAIL, DEMO_NODE, DEMO_PLANS } from './demo-data.js';

export interface SeedReport {
  adminEmail: string;
  /** Set only when this run created the admin (the hash cannot be shown again). */
  adminPassword?: string;
  nodeId: number;
  planIds: number[];
  created: string[];
}

/** Demo admin, node and plans: created on the embedded first start and by `npm run seed`. */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(authConfig.KEY)
    private readonly auth: ConfigType<typeof authConfig>,
    @Inject(databaseConfig.KEY)
    private readonly database: ConfigType<typeof databaseConfig>,
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const embeddedDev =
      databaseKind(this.database) === 'sqlite' &&
      this.app.nodeEnv === 'development';
    if (!embeddedDev) return;
    const report = await this.seed();
    if (report.created.length > 0) this.print(report);
  }

  /** Idempotent: finds each demo record by its natural key and creates only what is missing. */
  async seed(): Promise<SeedReport> {
    return this.dataSource.transaction(async (manager) => {
      const created: string[] = [];
      const admin = await this.ensureAdmin(manager, created);
      const nodeId = await this.ensureNode(manager, created);
      const planIds: number[] = [];
      for (const plan of DEMO_PLANS)
        planIds.push(await this.ensurePlan(manager, plan, created));
      return {
        adminEmail: DEMO_ADMIN_EMAIL,
        adminPassword: admin.password,
        nodeId,
        planIds,
        created,
      };
    });
  }

  print(report: SeedReport): void {
    const lines = [
      'Demo data ready (development only):',
      `  admin login : ${report.adminEmail}`,
      `  password    : ${report.adminPassword ?? '(unchanged; set when the admin was created)'}`,
      `  MU_KEY      : ${this.auth.muKey}`,
      `  demo node   : id ${report.nodeId}; plans: ${report.planIds.join(', ')}`,
      `  created     : ${report.created.join(', ') || 'nothing (already present)'}`,
    ];
    // Plain text on stdout, not a JSON log line: a person reads this once and copies from it.
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
  }

  private async freePort(manager: EntityManager): Promise<number> {
    const port = await this.users.nextPort(this.auth.ssPorts, manager);
    if (port === null)
      throw new Error('No free Shadowsocks port in SS_PORT_MIN..SS_PORT_MAX');
    return port;
  }

  private async ensureAdmin(
    manager: EntityManager,
    created: string[],
  ): Promise<{ password?: string }> {
    if (await manager.exists(User, { where: { email: DEMO_ADMIN_EMAIL } }))
      return {};
    const password = randomCode(16);
    await this.users.insert(
      {
        email: DEMO_ADMIN_EMAIL,
        pass: await this.passwords.hash(password),
        passwd: randomCode(16),
        uuid: crypto.randomUUID(),
        port: await this.freePort(manager),
        userName: 'admin',
        inviteCode: randomCode(12),
        refBy: 0,
        regIp: '127.0.0.1',
        isAdmin: 1,
      },
      new Date(),
      manager,
    );
    created.push('admin');
    return { password };
  }

  private async ensureNode(
    manager: EntityManager,
    created: string[],
  ): Promise<number> {
    const existing = await manager.findOne(SsNode, {
      where: { name: DEMO_NODE.name },
      select: { id: true },
    });
    if (existing) return existing.id;
    const result = await manager.insert(SsNode, {
      ...DEMO_NODE,
      customConfig: JSON.stringify(DEMO_NODE.customConfig),
    });
    created.push('node');
    return Number(result.identifiers[0].id);
  }

  private async ensurePlan(
    manager: EntityManager,
    plan: (typeof DEMO_PLANS)[number],
    created: string[],
  ): Promise<number> {
    const existing = await manager.findOne(Shop, {
      where: { name: plan.name },
      select: { id: true },
    });
    if (existing) return existing.id;
    const result = await manager.insert(Shop, {
      ...plan,
      content: JSON.stringify(plan.content),
    });
    created.push(`plan ${plan.name}`);
    return Number(result.identifiers[0].id);
  }
}
